#!/usr/bin/env bash
# 25,000 simultaneous jobs (or N): one burst of POST /v1/jobs over 100 connections against this service, and
# the same burst from the same load generator against the seed's path (a Node endpoint doing BullMQ Queue.add
# into the same Redis), in one run. Then: how many acknowledged jobs are in Postgres, the queue depth and silo
# memory with the burst queued, and how fast the cluster drains it.
#   usage: test/bench/burst.sh [N] [CONNECTIONS]
# The silo here is test/bench/Transcoder.Bench.Silo: the shipped silo with an instant pipeline in place of
# ffmpeg (a test double of this benchmark only), so draining measures the queue, the grains and the database.
# A job is acknowledged (202) only once it is durable: its queue row, grain state and job row are committed.
# Starts its own stack under .data/bench and stops it. Last line: one JSON object.
set -euo pipefail
source "$(dirname "$0")/../../infra/local/lib.sh"
source "$(dirname "$0")/common.sh"

jobs=${1:-25000}
connections=${2:-100}
bullmq_port=58290

export SILO_APP=test/bench/Transcoder.Bench.Silo
export Worker__EncodeSlots=${BURST_SLOTS:-32}
start_bench_stack
trap 'stop_pid "$DATA/bullmq.pid"; stop_stack "$DATA"' EXIT
# CPU-seconds (user+sys) so far of processes: the silo, the API, Postgres (server and backends), Redis, Node.
ticks=$(getconf CLK_TCK)
cpu_of() { local pid; for pid in "$@"; do cat "/proc/$pid/stat" 2>/dev/null; done | awk -v t="$ticks" '{s += ($14 + $15) / t} END {printf "%.2f", s}'; }
pg_pids() { local main; main=$(head -n 1 "$DATA/pg/postmaster.pid"); echo "$main" $(ps -o pid= --ppid "$main"); }
cpu_split() { echo "$(cpu_of "$(cat "$DATA/silo.pid")") $(cpu_of "$(cat "$DATA/api.pid")") $(cpu_of $(pg_pids)) $(cpu_of "$(cat "$DATA/redis.pid")") $(cpu_of "$(cat "$DATA/bullmq.pid")")"; }
# Per accepted job, in ms, the CPU each part spent between two cpu_split readings: "silo api postgres redis node".
per_job_ms() { awk -v n="$3" '{split($0, b, " ")} NR == 1 {for (i = 1; i <= 5; i++) a[i] = b[i]} NR == 2 {printf "{\"silo\":%.3f,\"api\":%.3f,\"postgres\":%.3f,\"redis\":%.3f,\"node\":%.3f}", (b[1]-a[1])*1000/n, (b[2]-a[2])*1000/n, (b[3]-a[3])*1000/n, (b[4]-a[4])*1000/n, (b[5]-a[5])*1000/n}' <(echo "$1"; echo "$2"); }
load_timed() { /usr/bin/time -f "%U %S" -o "$DATA/load.time" dotnet "$LOAD_DLL" "$@"; }
load_ms() { awk -v n="$1" '{printf "%.3f", ($1 + $2) * 1000 / n}' "$DATA/load.time"; }

log "installing the seed's path (bullmq from npm)"
mkdir -p "$DATA/bullmq"
cp "$REPO_ROOT/test/bench/bullmq/"{package.json,package-lock.json,server.js} "$DATA/bullmq/"
(cd "$DATA/bullmq" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
(cd "$DATA/bullmq" && spawn "$DATA" bullmq node server.js "$bullmq_port" "$TRANSCODER_REDIS_PORT")
WAIT_PID=$(cat "$DATA/bullmq.pid") wait_for "BullMQ endpoint (127.0.0.1:$bullmq_port)" 30 \
  curl -sf -X POST -H 'Content-Type: application/json' -d '{"inputUrl":"http://127.0.0.1/warm.mp4"}' "http://127.0.0.1:$bullmq_port/"

body="$DATA/job.json"
printf '{"inputUrl":"%s/%s/bench/input.mp4","priority":5}\n' "$TRANSCODER_S3_URL" "$TRANSCODER_BUCKET" >"$body"
auth="Authorization: Bearer $(mint_token "$DATA" bench-burst)"

# Both runtimes compile hot code in tiers as it gets called (.NET: quick JIT, then instrumented, then optimized,
# on a background thread; V8 likewise), and a burst into a cold process mostly measures its compiler. So each
# path first takes two rounds of warm-up traffic at the burst's concurrency, ours draining in between.
warm=${BURST_WARMUP:-5000}
log "warm-up: 2 x $warm jobs each way (not counted)"
# The first round into our freshly started API is also what a new replica meets: it is reported as "cold".
for round in 1 2; do
  load "http://127.0.0.1:$bullmq_port/" "$warm" "$connections" "$body" "$DATA/warm-bullmq.ids" >/dev/null
  warm_ours=$(load "$TRANSCODER_API_URL/v1/jobs" "$warm" "$connections" "$body" "$DATA/warm-ours.ids" "$auth")
  [ "$round" = 1 ] && cold=$warm_ours && echo "  cold: $cold"
  until [ "$(pg -c 'SELECT count(*) FROM job_queue')" = 0 ]; do sleep 1; done
done

log "burst: $jobs jobs over $connections connections to the BullMQ endpoint"
before=$(cpu_split)
bullmq=$(load_timed "http://127.0.0.1:$bullmq_port/" "$jobs" "$connections" "$body" "$DATA/bullmq.ids")
bullmq_cpu=$(per_job_ms "$before" "$(cpu_split)" "$(jq .acknowledged <<<"$bullmq")"); bullmq_load=$(load_ms "$jobs")
echo "  $bullmq"

log "burst: $jobs jobs over $connections connections to this service"
memory_before=$(rss_mb)
start=$(date +%s.%N)
before=$(cpu_split)
ours=$(load_timed "$TRANSCODER_API_URL/v1/jobs" "$jobs" "$connections" "$body" "$DATA/ours.ids" "$auth")
ours_cpu=$(per_job_ms "$before" "$(cpu_split)" "$(jq .acknowledged <<<"$ours")"); ours_load=$(load_ms "$jobs")
echo "  $ours"
memory_burst=$(rss_mb)
queued=$(curl -sS -H "$auth" "$TRANSCODER_API_URL/v1/queue" | jq .queued)

acknowledged=$(wc -l <"$DATA/ours.ids")
persisted=$(load_ids "$DATA/ours.ids")

log "draining (instant pipeline, $Worker__EncodeSlots slots)"
memory_peak=$memory_burst
deadline=$((SECONDS + 3600))
while [ "$(ids_not_completed)" != 0 ] && [ "$SECONDS" -lt "$deadline" ]; do
  m=$(rss_mb); [ "$m" -gt "$memory_peak" ] && memory_peak=$m
  sleep 1
done
# Draining starts with the burst, so the rate is every completed job over the time from the burst's start.
drain_seconds=$(echo "$(date +%s.%N) - $start" | bc)
completed=$(ids_completed)

ours_rate=$(jq .perSec <<<"$ours"); bullmq_rate=$(jq .perSec <<<"$bullmq")
echo
printf '%-28s %10s %10s %10s\n' "" "per s" "p50 ms" "p99 ms"
printf '%-28s %10s %10s %10s\n' "BullMQ Queue.add (seed)" "$bullmq_rate" "$(jq .p50Ms <<<"$bullmq")" "$(jq .p99Ms <<<"$bullmq")"
printf '%-28s %10s %10s %10s\n' "this service (durable)" "$ours_rate" "$(jq .p50Ms <<<"$ours")" "$(jq .p99Ms <<<"$ours")"
echo "acknowledged $acknowledged, persisted $persisted, queued right after the burst $queued, completed $completed"
echo "CPU ms per accepted job during the burst (load generator: BullMQ $bullmq_load, ours $ours_load):"
echo "  BullMQ path $bullmq_cpu"
echo "  this service $ours_cpu (includes the drain that runs during the burst)"
echo "silo memory: before $memory_before MB, with the burst queued $memory_burst MB, peak while draining $memory_peak MB"
printf '{"jobs":%d,"connections":%d,"acceptedPerSec":%s,"bullmqPerSec":%s,"ratio":%.3f,"p50Ms":%s,"p99Ms":%s,"bullmqP99Ms":%s,"acknowledged":%d,"persisted":%d,"lost":%d,"queueDepthAfterBurst":%s,"siloMemoryMb":%d,"siloMemoryPeakMb":%d,"drainedPerSec":%.1f,"completed":%d,"cpuMsPerJob":%s,"bullmqCpuMsPerJob":%s,"coldPerSec":%s,"coldP99Ms":%s}\n' \
  "$jobs" "$connections" "$ours_rate" "$bullmq_rate" "$(echo "scale=4; $ours_rate / $bullmq_rate" | bc)" \
  "$(jq .p50Ms <<<"$ours")" "$(jq .p99Ms <<<"$ours")" "$(jq .p99Ms <<<"$bullmq")" \
  "$acknowledged" "$persisted" $((acknowledged - persisted)) "$queued" "$memory_burst" "$memory_peak" \
  "$(echo "scale=2; $completed / $drain_seconds" | bc)" "$completed" "$ours_cpu" "$bullmq_cpu" \
  "$(jq .perSec <<<"$cold")" "$(jq .p99Ms <<<"$cold")"
