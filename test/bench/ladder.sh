#!/usr/bin/env bash
# The media pipeline against the seed's recipe, side by side in one run on the same clip:
#   1. the seed's recipe exactly as written: five parallel ffmpeg processes, each decoding the input, the
#      2160p rung upscaled, HLS .ts output;
#   2. the best single ffmpeg command a person would write for the same rungs and encoder settings
#      (decode once, split, scale, libx264 fast/crf 23 with the seed's VBV caps, AAC once);
#   3. this service: upload over HTTP, job through Orleans, everything it does (probe, encode, poster and
#      storyboard, quality measurement, S3), measured as the CPU of the silo and API processes;
# then PSNR per rung of ours against the seed's (same measurement for both), and, for a 60 s clip, the
# time from submission to playableAt and to completed as fractions of the clip's duration.
# CPU-seconds are user+sys. The three run LADDER_BENCH_ROUNDS times (default 3), taking turns, and the smallest
# CPU of each is compared: on a shared machine the same command varies by 10-20% from run to run. Starts its own stack under .data/bench and stops it. Last line: one JSON object.
set -euo pipefail
source "$(dirname "$0")/../../infra/local/lib.sh"

start_bench_stack
source "$(dirname "$0")/jobs.sh"
auth=(-H "Authorization: Bearer $TRANSCODER_TOKEN")

source "$(dirname "$0")/clips.sh"
clip source20.mp4 20
clip source60.mp4 60
src="$DATA/source20.mp4"
rounds=${LADDER_BENCH_ROUNDS:-3}

# CPU (user+sys, children included) and wall seconds of a command: prints "wall cpu".
measure() { /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -n 1 | awk '{printf "%.2f %.2f\n", $1, $2 + $3}'; }

seed="$DATA/seed"; mkdir -p "$seed"
cat >"$seed/run.sh" <<SEED
cd "$seed"
for r in "2160p 3840x2160 20M 22M 44M" "1080p 1920x1080 8M 9M 18M" "720p 1280x720 5M 6M 12M" "480p 854x480 2.5M 3M 6M" "360p 640x360 1M 1.2M 2.4M"; do
  set -- \$r
  ffmpeg -loglevel error -y -i "$src" -c:v libx264 -crf 23 -preset fast -c:a aac -b:a 128k -s \$2 -b:v \$3 -maxrate \$4 -bufsize \$5 \\
    -f hls -hls_time 6 -hls_playlist_type vod -hls_segment_filename "\$1_%03d.ts" "\$1.m3u8" &
done
wait
SEED
seed_run() { measure bash "$seed/run.sh"; }

hand="$DATA/hand"; mkdir -p "$hand"
hand_run() {
  measure ffmpeg -loglevel error -y -i "$src" \
  -filter_complex "[0:v]split=4[a][b][c][d];[a]scale=1920:1080[v0];[b]scale=1280:720[v1];[c]scale=854:480[v2];[d]scale=640:360[v3]" \
  -map "[v0]" -map "[v1]" -map "[v2]" -map "[v3]" -map 0:a -c:v libx264 -preset fast -crf 23 \
  -maxrate:v:0 9M -bufsize:v:0 18M -maxrate:v:1 6M -bufsize:v:1 12M -maxrate:v:2 3M -bufsize:v:2 6M -maxrate:v:3 1.2M -bufsize:v:3 2.4M \
  -g 60 -keyint_min 60 -sc_threshold 0 -c:a aac -b:a 128k \
  -f hls -hls_time 6 -hls_playlist_type vod -hls_segment_type fmp4 -var_stream_map "v:0,agroup:a v:1,agroup:a v:2,agroup:a v:3,agroup:a a:0,agroup:a" \
  -master_pl_name master.m3u8 -hls_segment_filename "$hand/%v_%03d.m4s" "$hand/%v.m3u8"
}

submit() { curl -sS --fail-with-body "${auth[@]}" -F "file=@$1" "$TRANSCODER_API_URL/v1/jobs" | jq -r .id; }

log "1/4 warm-up job through the service"
warm="$DATA/warm.mp4"
ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=30 -f lavfi -i sine -t 2 -c:v libx264 -preset ultrafast -c:a aac -shortest "$warm"
wait_done "$(submit "$warm")" >/dev/null   # start-up work (JIT, connections) is not the ladder's cost

# One job through the service: upload over HTTP, Orleans, probe, encode with thumbnails and quality, S3.
# Each round submits as a tenant of its own, or the service would rightly reuse the first round's outputs
# (same bytes, same ladder). Prints "wall cpu ffmpeg-cpu" and leaves the job's JSON in $DATA/ours.json.
ours_run() { # ROUND
  local before start job
  auth=(-H "Authorization: Bearer $(mint_token "$DATA" "bench-round-$1")")
  before=$(service_cpu_now); start=$(date +%s.%N)
  job=$(wait_done "$(submit "$src")")
  echo "$job" >"$DATA/ours.json"
  printf '%.2f %.2f %.2f\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$(echo "$(service_cpu_now) - $before" | bc)" "$(jq -r .cost.cpuSeconds <<<"$job")"
}

# The three take turns, so a slow spell of the machine hits them alike.
log "2/4 the seed's recipe, the hand-written command and the service, $rounds rounds, taking turns"
seed_cpus=""; seed_walls=""; hand_cpus=""; ours_cpus=""; hand_walls=""; ours_walls=""; ours_ffmpeg_cpus=""
for round in $(seq 1 "$rounds"); do
  read -r w c < <(seed_run); seed_walls+=" $w"; seed_cpus+=" $c"
  read -r w c < <(hand_run); hand_walls+=" $w"; hand_cpus+=" $c"
  read -r w c f < <(ours_run "$round"); ours_walls+=" $w"; ours_cpus+=" $c"; ours_ffmpeg_cpus+=" $f"
  [ "$(jq -r .reusedFrom "$DATA/ours.json")" = null ] || die "round $round reused earlier outputs: not a measurement of the pipeline"
  log "  round $round: seed $(awk '{print $NF}' <<<"$seed_cpus"), hand $(awk '{print $NF}' <<<"$hand_cpus"), service $(awk '{print $NF}' <<<"$ours_cpus") cpu s"
done
seed_cpu=$(smallest <<<"$seed_cpus"); seed_wall=$(smallest <<<"$seed_walls")
hand_cpu=$(smallest <<<"$hand_cpus"); hand_wall=$(smallest <<<"$hand_walls")
ours_cpu=$(smallest <<<"$ours_cpus"); ours_wall=$(smallest <<<"$ours_walls"); ours_ffmpeg_cpu=$(smallest <<<"$ours_ffmpeg_cpus")
ours=$(cat "$DATA/ours.json")

# PSNR of one HLS rendition against the source scaled to its size, every 5th frame, from the mean MSE.
psnr() { # PLAYLIST WIDTH HEIGHT
  local stats="$DATA/psnr-$RANDOM.log"
  ffmpeg -hide_banner -loglevel error -i "$src" -i "$1" -filter_complex \
    "[0:v]fps=30,format=yuv420p,select='not(mod(n\,5))',scale=$2:$3:flags=bicubic,setsar=1[ref];[1:v]select='not(mod(n\,5))',setsar=1[out];[out][ref]psnr=stats_file=$stats" \
    -f null - </dev/null
  awk '{for (i = 1; i <= NF; i++) if ($i ~ /^mse_avg:/) {split($i, kv, ":"); s += kv[2]; n++}} END {printf "%.2f", 10 * log(255 * 255 / (s / n)) / log(10)}' "$stats"
}
# Average bits per second of a rendition's media files listed in a local playlist.
bitrate() { # PLAYLIST SECONDS
  local dir bytes
  dir=$(dirname "$1")
  bytes=$(grep -v '^#' "$1" | sed "s#^#$dir/#" | xargs stat -c %s | awk '{s += $1} END {print s}')
  echo "$bytes * 8 / $2" | bc
}

log "3/4 PSNR per rung, ours against the seed's"
rows=""; worst=""
for rung in 1080p:1920:1080 720p:1280:720 480p:854:480 360p:640:360; do
  IFS=: read -r name w h <<<"$rung"
  ours_url=$(jq -r --arg n "$name" '.renditions[] | select(.name == $n) | .playlistUrl' <<<"$ours")
  ours_rate=$(jq -r --arg n "$name" '.renditions[] | select(.name == $n) | .averageBandwidth' <<<"$ours")
  ours_psnr=$(psnr "$ours_url" "$w" "$h")
  seed_psnr=$(psnr "$seed/$name.m3u8" "$w" "$h")
  seed_rate=$(bitrate "$seed/$name.m3u8" 20)
  delta=$(echo "$ours_psnr - $seed_psnr" | bc)
  [ -z "$worst" ] || [ "$(echo "$delta < $worst" | bc)" = 1 ] && worst=$delta
  rows+=$(printf '  %-6s ours %6.2f dB at %9d b/s   seed %6.2f dB at %9d b/s   delta %+.2f dB\\n' "$name" "$ours_psnr" "$ours_rate" "$seed_psnr" "$seed_rate" "$delta")
done

log "4/4 60 s clip: time to playable and to completed"
auth=(-H "Authorization: Bearer $TRANSCODER_TOKEN")
start_epoch=$(date +%s.%N)
live=$(wait_done "$(submit "$DATA/source60.mp4")")
created=$(jq -r .createdAt <<<"$live"); playable=$(jq -r .playableAt <<<"$live"); completed=$(jq -r .completedAt <<<"$live")
# From the moment the client starts uploading (not from createdAt, which comes after the upload).
since_start() { echo "$(date -d "$1" +%s.%N) - $start_epoch" | bc; }
playable_fraction=$(echo "scale=3; $(since_start "$playable") / 60" | bc)
completed_fraction=$(echo "scale=3; $(since_start "$completed") / 60" | bc)
upload_seconds=$(since_start "$created")

ratio_seed=$(echo "scale=3; $ours_cpu / $seed_cpu" | bc)
ratio_hand=$(echo "scale=3; $ours_cpu / $hand_cpu" | bc)
echo
printf '%-34s %9s %9s\n' "20 s 1080p30 clip" "wall s" "cpu s"
printf '%-34s %9.2f %9.2f\n' "seed recipe (5 processes, 2160p)" "$seed_wall" "$seed_cpu" "hand-written single command" "$hand_wall" "$hand_cpu" "this service (silo + API)" "$ours_wall" "$ours_cpu"
printf '%-34s %9s %9.2f\n' "  of which ffmpeg (the job's cost)" "" "$ours_ffmpeg_cpu"
printf 'cpu s of every round: seed%s | hand%s | service%s (the smallest of each is used)\n' "$seed_cpus" "$hand_cpus" "$ours_cpus"
printf 'ours / seed %.3f   ours / hand %.3f\n' "$ratio_seed" "$ratio_hand"
printf '%b' "$rows"
printf '60 s clip (upload took %.1f s): playable after %.2f x its duration, completed after %.2f x\n' "$upload_seconds" "$playable_fraction" "$completed_fraction"
printf '{"ratioVsSeed":%.3f,"ratioVsHand":%.3f,"minPsnrDeltaDb":%.2f,"playableFraction":%.3f,"completedFraction":%.3f,"seedCpuSeconds":%.2f,"handCpuSeconds":%.2f,"oursCpuSeconds":%.2f,"oursFfmpegCpuSeconds":%.2f,"seedWallSeconds":%.2f,"handWallSeconds":%.2f,"oursWallSeconds":%.2f}\n' \
  "$ratio_seed" "$ratio_hand" "$worst" "$playable_fraction" "$completed_fraction" "$seed_cpu" "$hand_cpu" "$ours_cpu" "$ours_ffmpeg_cpu" "$seed_wall" "$hand_wall" "$ours_wall"
