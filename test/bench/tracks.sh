#!/usr/bin/env bash
# What every extra track costs: the same 20 s 1080p30 clip through the service with one audio track, with four
# (English, French, Spanish, German) and with four normalised to -16 LUFS in two passes, plus two text subtitle
# streams in the four-track clips. Each job's CPU is the silo's and API's together (everything the service does:
# probe, subtitle pass, loudness passes, the one encode, packaging, S3), and ffmpeg's own figure from the job's
# cost. The variants take turns over TRACKS_BENCH_ROUNDS rounds (default 3) and the smallest of each is compared.
# The ladder's video dominates a job and varies by several seconds from run to run, so the audio work is also
# measured on its own: the AAC encodes of one and of four tracks (the pipeline's settings), the subtitle pass and
# the two loudness passes, each as the single ffmpeg command the pipeline runs, smallest of AUDIO_BENCH_ROUNDS (5).
# Starts its own stack under .data/bench and stops it. Last line: one JSON object.
set -euo pipefail
source "$(dirname "$0")/../../infra/local/lib.sh"

start_bench_stack
source "$(dirname "$0")/jobs.sh"
rounds=${TRACKS_BENCH_ROUNDS:-3}

clip() { # NAME AUDIO-TRACKS: 1080p30 with real detail, 1 or 4 audio tracks (different tones and noise), subtitles with 4
  local inputs=(-f lavfi -i "testsrc2=size=1920x1080:rate=30,noise=alls=12:allf=t") maps=(-map 0:v) meta=() i
  for i in $(seq 1 "$2"); do
    inputs+=(-f lavfi -i "anoisesrc=color=pink:amplitude=0.0$((i + 1)):sample_rate=48000,volume=0.8")
    maps+=(-map "$i:a")
  done
  local langs=(eng fre spa ger)
  for i in $(seq 0 $(($2 - 1))); do meta+=(-metadata:s:a:$i "language=${langs[$i]}"); done
  if [ "$2" -gt 1 ]; then
    printf '1\n00:00:01,000 --> 00:00:03,000\nHello\n\n2\n00:00:10,000 --> 00:00:12,000\nTen seconds\n' >"$DATA/subs.srt"
    inputs+=(-i "$DATA/subs.srt" -i "$DATA/subs.srt"); maps+=(-map "$(($2 + 1))" -map "$(($2 + 2))")
    meta+=(-metadata:s:s:0 language=eng -metadata:s:s:1 language=fre -c:s srt)
  fi
  ffmpeg -hide_banner -loglevel error -y "${inputs[@]}" "${maps[@]}" "${meta[@]}" -t 20 \
    -c:v libx264 -preset superfast -b:v 16M -maxrate 20M -bufsize 32M -g 30 -pix_fmt yuv420p -c:a aac -b:a 160k "$DATA/$1"
}
clip one.mkv 1
clip four.mkv 4

# One job as a tenant of its own (or the service would reuse the earlier round's outputs): "wall cpu ffmpeg-cpu".
run() { # LABEL FILE OPTIONS ROUND
  local before start job
  auth=(-H "Authorization: Bearer $(mint_token "$DATA" "tracks-$1-$4")")
  before=$(service_cpu_now); start=$(date +%s.%N)
  job=$(wait_done "$(curl -sS --fail-with-body "${auth[@]}" -F "file=@$2" -F "options=$3" "$TRANSCODER_API_URL/v1/jobs" | jq -r .id)")
  [ "$(jq -r .reusedFrom <<<"$job")" = null ] || die "$1 round $4 reused earlier outputs"
  echo "$job" >"$DATA/$1.json"
  printf '%.2f %.2f %.2f\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$(echo "$(service_cpu_now) - $before" | bc)" "$(jq -r .cost.cpuSeconds <<<"$job")"
}

log "warm-up job"
auth=(-H "Authorization: Bearer $TRANSCODER_TOKEN")
ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=30 -f lavfi -i sine -t 2 -c:v libx264 -preset ultrafast -c:a aac -shortest "$DATA/warm.mp4"
wait_done "$(curl -sS --fail-with-body "${auth[@]}" -F "file=@$DATA/warm.mp4" "$TRANSCODER_API_URL/v1/jobs" | jq -r .id)" >/dev/null

declare -A cpu wall ff
for label in one four loud; do cpu[$label]=""; wall[$label]=""; ff[$label]=""; done
for round in $(seq 1 "$rounds"); do
  for variant in "one one.mkv {}" "four four.mkv {}" 'loud four.mkv {"audio":{"loudness":{"targetLufs":-16}}}'; do
    read -r label file options <<<"$variant"
    read -r w c f < <(run "$label" "$DATA/$file" "$options" "$round")
    wall[$label]+=" $w"; cpu[$label]+=" $c"; ff[$label]+=" $f"
  done
  log "  round $round: one $(awk '{print $NF}' <<<"${cpu[one]}"), four $(awk '{print $NF}' <<<"${cpu[four]}"), four normalised $(awk '{print $NF}' <<<"${cpu[loud]}") service cpu s"
done

for label in one four loud; do
  read -r "cpu_$label" <<<"$(smallest <<<"${cpu[$label]}")"
  read -r "wall_$label" <<<"$(smallest <<<"${wall[$label]}")"
  read -r "ff_$label" <<<"$(smallest <<<"${ff[$label]}")"
done
# The audio work alone, as the pipeline's ffmpeg arguments do it (user+sys CPU of the command, smallest of several).
measure_cpu() { /usr/bin/time -f "%U %S" "$@" 2>&1 >/dev/null | tail -n 1 | awk '{printf "%.3f", $1 + $2}'; }
aac() { # TRACKS [LOUDNORM-FILTER]: encode the first TRACKS audio streams of four.mkv as the pipeline does
  local args=(-hide_banner -loglevel error -y -i "$DATA/four.mkv") i
  for i in $(seq 0 $(($1 - 1))); do
    args+=(-map "0:a:$i" -c:a aac -b:a 128000 -ac 2 -ar 48000)
    [ -z "${2:-}" ] || args+=(-af "$2")
    args+=(-f mp4 -movflags +dash+frag_every_frame "$DATA/aac-$i.mp4")
  done
  measure_cpu ffmpeg "${args[@]}"
}
subtitles() { measure_cpu ffmpeg -hide_banner -loglevel error -y -i "$DATA/four.mkv" -map 0:s:0 -c:s webvtt -f webvtt "$DATA/t0.vtt" -map 0:s:1 -c:s webvtt -f webvtt "$DATA/t1.vtt"; }
measure_pass() { # the first loudness pass over four tracks
  measure_cpu ffmpeg -hide_banner -loglevel error -y -i "$DATA/four.mkv" -filter_complex \
    "[0:a:0]aformat=channel_layouts=stereo,loudnorm=I=-16:TP=-1:LRA=20:print_format=json[m0];[0:a:1]aformat=channel_layouts=stereo,loudnorm=I=-16:TP=-1:LRA=20:print_format=json[m1];[0:a:2]aformat=channel_layouts=stereo,loudnorm=I=-16:TP=-1:LRA=20:print_format=json[m2];[0:a:3]aformat=channel_layouts=stereo,loudnorm=I=-16:TP=-1:LRA=20:print_format=json[m3]" \
    -map "[m0]" -f null - -map "[m1]" -f null - -map "[m2]" -f null - -map "[m3]" -f null -
}
log "the audio work on its own, ${AUDIO_BENCH_ROUNDS:-5} rounds"
aac1=""; aac4=""; aac4n=""; subs=""; pass=""
second_pass="aformat=channel_layouts=stereo,loudnorm=I=-16:TP=-1:LRA=20:measured_I=-45:measured_TP=-20:measured_LRA=3:measured_thresh=-55:offset=0:linear=true,aresample=48000"
for _ in $(seq 1 "${AUDIO_BENCH_ROUNDS:-5}"); do
  aac1+=" $(aac 1)"; aac4+=" $(aac 4)"; aac4n+=" $(aac 4 "$second_pass")"; subs+=" $(subtitles)"; pass+=" $(measure_pass)"
done
aac1=$(smallest <<<"$aac1"); aac4=$(smallest <<<"$aac4"); aac4n=$(smallest <<<"$aac4n"); subs=$(smallest <<<"$subs"); pass=$(smallest <<<"$pass")
aac_per_track=$(echo "scale=3; ($aac4 - $aac1) / 3" | bc)
loudnorm_per_track=$(echo "scale=3; ($aac4n - $aac4 + $pass) / 4" | bc)

tracks_four=$(jq '[.renditions[] | select(.kind == "audio")] | length' "$DATA/four.json")
texts_four=$(jq '[.renditions[] | select(.kind == "text")] | length' "$DATA/four.json")
[ "$tracks_four" = 4 ] && [ "$texts_four" = 2 ] || die "the four-track job made $tracks_four audio and $texts_four text renditions"
per_track=$(echo "scale=3; ($cpu_four - $cpu_one) / 3" | bc)
largest() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -n 1; }
spread_one=$(echo "$(largest <<<"${cpu[one]}") - $cpu_one" | bc)
per_track_fraction=$(echo "scale=4; $per_track / $cpu_one" | bc)
loudness_per_track=$(echo "scale=3; ($cpu_loud - $cpu_four) / 4" | bc)
wall_per_track=$(echo "scale=3; ($wall_four - $wall_one) / 3" | bc)
loudness=$(jq -c '[.renditions[] | select(.kind == "audio") | .loudness | {sourceLufs, outputLufs, outputTruePeakDb}]' "$DATA/loud.json")

cat >&2 <<REPORT

20 s 1080p30 clip, the service's CPU (silo + API), smallest of $rounds rounds:
  1 audio track                      $cpu_one s   (ffmpeg $ff_one s, wall $wall_one s)
  4 audio + 2 text tracks            $cpu_four s   (ffmpeg $ff_four s, wall $wall_four s)
  4 audio normalised to -16 LUFS     $cpu_loud s   (ffmpeg $ff_loud s, wall $wall_loud s)
  each extra audio track             $per_track CPU-s ($(echo "scale=1; $per_track_fraction * 100" | bc) % of the one-track job), $wall_per_track s wall
                                     (the same job varies by $spread_one CPU-s from round to round: a difference
                                     smaller than that is the video encode's noise; the audio alone is below)
  two-pass loudness, per track       $loudness_per_track CPU-s
  loudness per track (source -> output): $loudness

The audio work on its own (ffmpeg user+sys CPU, smallest of ${AUDIO_BENCH_ROUNDS:-5}):
  AAC, 1 track $aac1 s, 4 tracks $aac4 s: $aac_per_track s per extra track ($(echo "scale=2; $aac_per_track * 100 / $cpu_one" | bc) % of the one-track job)
  subtitle pass (2 text streams to WebVTT) $subs s
  loudness: first pass over 4 tracks $pass s, second pass adds $(echo "$aac4n - $aac4" | bc) s: $loudnorm_per_track s per track
REPORT
printf '{"clipSeconds":20,"rounds":%d,"cpuOneTrack":%s,"cpuFourTracks":%s,"cpuFourTracksNormalised":%s,"extraCpuPerAudioTrack":%s,"extraCpuPerAudioTrackFraction":%s,"extraWallPerAudioTrack":%s,"loudnessCpuPerTrack":%s,"aacCpuPerTrack":%s,"subtitlePassCpu":%s,"loudnormCpuPerTrack":%s,"oneTrackSpread":%s,"loudness":%s}\n' \
  "$rounds" "$cpu_one" "$cpu_four" "$cpu_loud" "$per_track" "$per_track_fraction" "$wall_per_track" "$loudness_per_track" "$aac_per_track" "$subs" "$loudnorm_per_track" "$spread_one" "$loudness"
