#!/usr/bin/env bash
# Split and stitch against one silo, side by side in one run on the same 2-minute 1080p30 clip (six scenes with
# real motion: moving test pattern, a Mandelbrot zoom, the game of life, a cellular automaton, grain on colour bars,
# drifting gradients; cuts at 17, 40, 59, 80 and 93 s, none on a chunk edge):
#   a. one silo pinned to one core (taskset), the title encoded whole;
#   b. two silos, each pinned to its own core, the title cut into chunks: FIRST_CHUNK_SECONDS (default 4), then
#      CHUNK_SECONDS (default 20) each.
# Both through the local stack (upload over HTTP, the queue, S3, Postgres); one encode slot per silo. CPU is user+sys
# of the silo processes and the API, children (ffmpeg) included. Then, per rung: frames against the source's, PSNR
# (the encoder's, over the whole title), average bitrate, and the PSNR of the frames within 1 s of each join against
# the rest (ffmpeg's psnr filter on the published segments against the source scaled as the ladder scales it; the
# unchunked package at the same instants is the control). The per-chunk figures (CPU, source download) feed the
# projection in docs/capacity.md. Starts its own stack under .data/bench and stops it. Last line: one JSON object.
set -euo pipefail
source "$(dirname "$0")/../../infra/local/lib.sh"

chunk_seconds=${CHUNK_SECONDS:-20}
first_chunk_seconds=${FIRST_CHUNK_SECONDS:-4}
DATA="$REPO_ROOT/.data/bench"
set_ports 200
ensure_packages
[ -x /usr/bin/time ] && command -v bc >/dev/null && command -v taskset >/dev/null || as_root apt-get install -y -qq time bc util-linux >/dev/null
[ "$(nproc)" -ge 2 ] || die "this benchmark pins two silos to two cores; this machine has $(nproc)"
stop_stack "$DATA"
rm -rf "$DATA"
mkdir -p "$DATA"
build_solution Release
trap 'stop_stack "$DATA"' EXIT
export RateLimits__RequestsPerSecond=10000000 RateLimits__Burst=10000000 Worker__EncodeSlots=1

src="$DATA/source.mp4"
log "generating the 2-minute 1080p30 source"
scenes=(
  "testsrc2=size=1920x1080:rate=30:duration=17"
  "mandelbrot=size=1920x1080:rate=30,trim=duration=23"
  "life=size=1920x1080:rate=30:mold=10:ratio=0.1:death_color=#C83232:life_color=#00ff00,trim=duration=19"
  "cellauto=size=1920x1080:rate=30:rule=110,trim=duration=21"
  "smptehdbars=size=1920x1080:rate=30:duration=13"
  "gradients=size=1920x1080:rate=30:speed=0.02,trim=duration=27"
)
inputs=() labels=""
for i in "${!scenes[@]}"; do inputs+=(-f lavfi -i "${scenes[$i]}"); labels+="[$i:v]"; done
ffmpeg -hide_banner -loglevel error -y "${inputs[@]}" -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=120" \
  -filter_complex "${labels}concat=n=${#scenes[@]}:v=1:a=0,setsar=1,format=yuv420p,noise=alls=8:allf=t[v]" -map "[v]" -map "${#scenes[@]}:a" \
  -c:v libx264 -preset superfast -b:v 16M -maxrate 20M -bufsize 32M -g 30 -c:a aac -b:a 160k -t 120 "$src"
source_frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$src")

ticks=$(getconf CLK_TCK)
# CPU seconds (user+sys, children included) of the running silos and the API so far.
cpu_now() {
  local files=("/proc/$(cat "$DATA/api.pid")/stat") f
  for f in "$DATA"/silo*.pid; do files+=("/proc/$(cat "$f")/stat"); done
  awk -v t="$ticks" '{s += ($14 + $15 + $16 + $17) / t} END {printf "%.2f", s}' "${files[@]}"
}
wait_done() {
  local job
  while :; do
    job=$(curl -sS -H "Authorization: Bearer $2" "$TRANSCODER_API_URL/v1/jobs/$1")
    case $(jq -r .status <<<"$job") in completed) echo "$job"; return ;; failed|canceled) die "job $1: $job" ;; esac
    sleep 0.5
  done
}
submit() { curl -sS --fail-with-body -H "Authorization: Bearer $2" -F "file=@$1" "$TRANSCODER_API_URL/v1/jobs" | jq -r .id; }
warm() { # LABEL N: N small jobs at once (tenants of their own), so that every silo has run one before the measured job
  local i tokens=() ids=()
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=30 -f lavfi -i sine -t 2 -c:v libx264 -preset ultrafast -c:a aac -shortest "$DATA/warm.mp4"
  for i in $(seq 1 "$2"); do tokens+=("$(mint_token "$DATA" "warm-$1-$i")"); ids+=("$(submit "$DATA/warm.mp4" "${tokens[-1]}")"); done
  for i in "${!ids[@]}"; do wait_done "${ids[$i]}" "${tokens[$i]}" >/dev/null; done
}
# One measured job as a tenant of its own (no reuse of the other's outputs): writes LABEL.json, prints "cpu".
measure() {
  local token before id job
  token=$(mint_token "$DATA" "chunked-$1")
  before=$(cpu_now)
  id=$(submit "$src" "$token")
  job=$(wait_done "$id" "$token")
  echo "$job" >"$DATA/$1.json"
  echo "$(cpu_now) - $before" | bc
}
seconds_between() { echo "$(date -d "$2" +%s.%N) - $(date -d "$1" +%s.%N)" | bc; }

log "a. one silo on core 0, the title whole"
Chunking__MinSourceSeconds=86400 SILO_CPUS=0 start_stack "$DATA" Release 1
source "$DATA/local.env"
warm a 1
cpu_a=$(measure whole)
stop_pid "$DATA/silo.pid"

log "b. two silos on cores 0 and 1, the title in chunks of ${first_chunk_seconds} s, then ${chunk_seconds} s"
export Chunking__MinSourceSeconds=60 Chunking__ChunkSeconds=$chunk_seconds Chunking__FirstChunkSeconds=$first_chunk_seconds
# shellcheck disable=SC2046
SILO_CPUS=0 start_silo "$DATA" Release $(silo_of 1)
# shellcheck disable=SC2046
SILO_CPUS=1 start_silo "$DATA" Release $(silo_of 2)
unset Chunking__MinSourceSeconds Chunking__ChunkSeconds Chunking__FirstChunkSeconds
warm b 2
cpu_b=$(measure chunked)

whole="$DATA/whole.json" chunked="$DATA/chunked.json"
wall_a=$(seconds_between "$(jq -r .createdAt "$whole")" "$(jq -r .completedAt "$whole")")
wall_b=$(seconds_between "$(jq -r .createdAt "$chunked")" "$(jq -r .completedAt "$chunked")")
play_a=$(seconds_between "$(jq -r .createdAt "$whole")" "$(jq -r .playableAt "$whole")")
play_b=$(seconds_between "$(jq -r .createdAt "$chunked")" "$(jq -r .playableAt "$chunked")")

log "comparing the packages rung by rung"
# Per-frame PSNR of a rendition against the source scaled as the ladder scales it; prints "near rest" (dB): the
# frames within 1 s of a join against the others.
join_psnr() { # PLAYLIST-URL WIDTH HEIGHT
  local stats="$DATA/psnr-$2x$3-$RANDOM.log"
  ffmpeg -nostdin -hide_banner -loglevel error -i "$1" -i "$src" \
    -lavfi "[1:v]fps=30/1,format=yuv420p,scale=$2:$3:flags=bicubic,setsar=1[ref];[0:v]setsar=1[out];[out][ref]psnr=stats_file=$stats" -f null -
  awk -v list="$joins" 'BEGIN { nj = split(list, joins, ",") } {
      for (i = 1; i <= NF; i++) { split($i, kv, ":"); v[kv[1]] = kv[2] }
      t = (v["n"] - 1) / 30; near = 0
      for (j = 1; j <= nj; j++) if (t - joins[j] <= 1 && joins[j] - t <= 1) near = 1
      if (near) { sn += v["mse_avg"]; nn++ } else { sr += v["mse_avg"]; nr++ }
    } END { printf "%.3f %.3f\n", 10 * log(255 * 255 / (sn / nn)) / log(10), 10 * log(255 * 255 / (sr / nr)) / log(10) }' "$stats"
}
frames() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1" | head -n 1; }
# The joins: the chunks' starts after the first, as the silos logged them.
joins=$(cat "$DATA"/silo*.log | grep '"EventId":3130' | jq -r '.State | select(.Chunk > 1) | .StartSeconds' | sort -g | paste -sd, -)
rungs="[]"
while read -r name width height; do
  a=$(jq -c --arg n "$name" '.renditions[] | select(.kind == "video" and .name == $n)' "$whole")
  b=$(jq -c --arg n "$name" '.renditions[] | select(.kind == "video" and .name == $n)' "$chunked")
  read -r near_a rest_a < <(join_psnr "$(jq -r .playlistUrl <<<"$a")" "$width" "$height")
  read -r near_b rest_b < <(join_psnr "$(jq -r .playlistUrl <<<"$b")" "$width" "$height")
  rung=$(jq -n --arg name "$name" --argjson a "$a" --argjson b "$b" \
    --argjson framesA "$(frames "$(jq -r .playlistUrl <<<"$a")")" --argjson framesB "$(frames "$(jq -r .playlistUrl <<<"$b")")" \
    --argjson nearA "$near_a" --argjson restA "$rest_a" --argjson nearB "$near_b" --argjson restB "$rest_b" --argjson source "$source_frames" '{
      name: $name, framesWhole: $framesA, framesChunked: $framesB, sourceFrames: $source,
      psnrWhole: $a.psnr, psnrChunked: $b.psnr, psnrDeltaDb: (($b.psnr - $a.psnr) * 1000 | round / 1000),
      bitrateWhole: $a.averageBandwidth, bitrateChunked: $b.averageBandwidth, bitrateRatio: (($b.averageBandwidth / $a.averageBandwidth) * 1000 | round / 1000),
      joinPsnrDeltaDb: (($nearB - $restB) * 1000 | round / 1000), joinPsnrDeltaDbWhole: (($nearA - $restA) * 1000 | round / 1000)}')
  log "  $(jq -c . <<<"$rung")"
  rungs=$(jq -c --argjson r "$rung" '. + [$r]' <<<"$rungs")
done < <(jq -r '.renditions[] | select(.kind == "video") | "\(.name) \(.width) \(.height)"' "$whole")

# The chunks as the silos logged them: which silo, CPU-seconds each.
chunks=$(cat "$DATA"/silo*.log | grep '"EventId":3130' | jq -sc '[.[] | .State | {chunk: .Chunk, frames: .Frames, fetchSeconds: (.FetchSeconds * 100 | round / 100),
  encodeSeconds: (.EncodeSeconds * 100 | round / 100), cpuSeconds: (.CpuSeconds * 100 | round / 100)}] | sort_by(.chunk)')
jq -nc --argjson rungs "$rungs" --argjson chunks "$chunks" --arg chunkSeconds "$chunk_seconds" --arg firstChunkSeconds "$first_chunk_seconds" --arg joins "$joins" \
  --arg wallA "$wall_a" --arg wallB "$wall_b" --arg cpuA "$cpu_a" --arg cpuB "$cpu_b" --arg playA "$play_a" --arg playB "$play_b" \
  --argjson silos "$(jq .silos "$chunked")" --argjson chunkCount "$(jq .chunks "$chunked")" '
  def r: . * 1000 | round / 1000;
  {clipSeconds: 120, firstChunkSeconds: ($firstChunkSeconds | tonumber), chunkSeconds: ($chunkSeconds | tonumber), chunks: $chunkCount, silos: $silos,
   joins: ($joins | split(",") | map(tonumber)),
   wallSecondsWhole: ($wallA | tonumber | r), wallSecondsChunked: ($wallB | tonumber | r), wallRatio: (($wallB | tonumber) / ($wallA | tonumber) | r),
   cpuSecondsWhole: ($cpuA | tonumber), cpuSecondsChunked: ($cpuB | tonumber), cpuRatio: (($cpuB | tonumber) / ($cpuA | tonumber) | r),
   playableSecondsWhole: ($playA | tonumber | r), playableSecondsChunked: ($playB | tonumber | r), playableRatio: (($playB | tonumber) / ($playA | tonumber) | r),
   minPsnrDeltaDb: ([$rungs[].psnrDeltaDb] | min), joinPsnrDeltaDb: ([$rungs[].joinPsnrDeltaDb] | min),
   joinPsnrDeltaDbWhole: ([$rungs[].joinPsnrDeltaDbWhole] | min), bitrateRatio: ([$rungs[].bitrateRatio] | max),
   frameMismatch: ([$rungs[] | ((.framesChunked - .sourceFrames) | fabs) + ((.framesChunked - .framesWhole) | fabs)] | add),
   rungs: $rungs, chunkRuns: $chunks}'
