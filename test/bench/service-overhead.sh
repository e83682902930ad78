#!/usr/bin/env bash
# What the service adds to ffmpeg's own cost: one 20 s 1080p30 clip with audio, transcoded once through the
# whole service (HTTP upload, Orleans, S3 download, ffprobe, ffmpeg, packaging, S3 upload) and once as the very
# same ffmpeg command run by hand, side by side in one run. CPU-seconds are user+sys of the silo and API
# processes (ffmpeg included, as their child) versus those of the hand-run ffmpeg.
# Starts its own stack (data under .data/bench) and stops it. The last line is one JSON object.
set -euo pipefail
source "$(dirname "$0")/../../infra/local/lib.sh"

start_bench_stack

clip="$DATA/bench-1080p30-20s.mp4"
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 20 -c:v libx264 -preset veryfast -crf 18 \
  -pix_fmt yuv420p -c:a aac -b:a 160k -shortest "$clip"

warmup="$DATA/warmup.mp4"
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=640x360:rate=30" -f lavfi -i sine -t 2 \
  -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$warmup"

ticks=$(getconf CLK_TCK)
# user+sys of a process and its reaped children, in seconds.
cpu_of() { awk -v t="$ticks" '{printf "%.2f", ($14 + $15 + $16 + $17) / t}' "/proc/$1/stat"; }
silo=$(cat "$DATA/silo.pid")
api=$(cat "$DATA/api.pid")
both_cpu() { echo "$(cpu_of "$silo") + $(cpu_of "$api")" | bc; }

# Submits a file and waits until its job completes.
transcode() {
  local id status
  id=$(curl -sS --fail-with-body -H "Authorization: Bearer $TRANSCODER_TOKEN" -F "file=@$1" "$TRANSCODER_API_URL/v1/jobs" | jq -r .id)
  while :; do
    status=$(curl -sS -H "Authorization: Bearer $TRANSCODER_TOKEN" "$TRANSCODER_API_URL/v1/jobs/$id" | jq -r .status)
    case "$status" in completed) break ;; failed|canceled) die "job $id $status" ;; esac
    sleep 0.5
  done
}

# A first small job so that start-up work (JIT, connections) is not charged to the measured one.
log "warm-up job"
transcode "$warmup"
log "idle cost of the two processes over 10 s"
before=$(both_cpu)
sleep 10
idle_per_second=$(echo "scale=4; ($(both_cpu) - $before) / 10" | bc)

log "through the service"
before=$(both_cpu)
start=$(date +%s.%N)
transcode "$clip"
service_wall=$(echo "$(date +%s.%N) - $start" | bc)
service_cpu=$(echo "$(both_cpu) - $before" | bc)

log "the same ffmpeg command by hand"
# The silo logs ffmpeg's arguments quoted for a POSIX shell; the run's scratch folder is the one that holds "input".
command_line=$(jq -r 'select(.EventId == 2001) | .State.CommandLine' "$DATA/silo.log" | tail -n 1)
run_dir=$(sed -E 's/.* -i ([^ ]+)\/input .*/\1/' <<<"$command_line")
[ -n "$run_dir" ] && [ "$run_dir" != "$command_line" ] || die "could not find the run folder in: $command_line"
hand="$DATA/hand"
rm -rf "$hand"
mkdir -p "$hand/encode" "$hand/package"
ln -sf "$clip" "$hand/input"
hand_args=${command_line//$run_dir/$hand}
read -r hand_wall hand_user hand_sys < <(
  /usr/bin/time -f "%e %U %S" bash -c "exec ffmpeg -nostdin -loglevel error $hand_args" </dev/null 2>&1 >/dev/null | tail -n 1)
# A hand run that failed or wrote nothing would make the ratio meaningless.
[ -n "$(ls -A "$hand/encode")" ] || die "the hand-run ffmpeg wrote nothing under $hand/encode"
hand_cpu=$(echo "$hand_user + $hand_sys" | bc)

ratio_cpu=$(echo "scale=3; $service_cpu / $hand_cpu" | bc)
ratio_wall=$(echo "scale=3; $service_wall / $hand_wall" | bc)
printf '\n%-10s %10s %10s\n' "" "wall s" "cpu s"
printf '%-10s %10.2f %10.2f\n' service "$service_wall" "$service_cpu" hand "$hand_wall" "$hand_cpu"
printf '%-10s %10.3f %10.3f\n' ratio "$ratio_wall" "$ratio_cpu"
printf 'idle cost of silo + API: %.3f cpu s per second\n' "$idle_per_second"
printf '{"clip":"1080p30 20s","serviceWallSeconds":%.2f,"serviceCpuSeconds":%.2f,"handWallSeconds":%.2f,"handCpuSeconds":%.2f,"wallRatio":%.3f,"cpuRatio":%.3f,"idleCpuPerSecond":%.4f}\n' \
  "$service_wall" "$service_cpu" "$hand_wall" "$hand_cpu" "$ratio_wall" "$ratio_cpu" "$idle_per_second"
