# The benchmarks' source clips, sourced after infra/local/lib.sh with DATA set.
clip() { # NAME SECONDS: 1080p30 with audio, as a phone records it (about 16 Mb/s), detailed enough to cost real bits
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000" -filter_complex "[0:v]noise=alls=12:allf=t[v]" -map "[v]" -map 1:a \
    -t "$2" -c:v libx264 -preset superfast -b:v 16M -maxrate 20M -bufsize 32M -g 30 -pix_fmt yuv420p -c:a aac -b:a 160k -shortest "$DATA/$1"
}
