#!/usr/bin/env bash
# 25,000 simultaneous jobs (or N): one burst of POST /v1/jobs over 100 connections against this service, and
# the same burst from the same load generator against the seed's path, in one run: its edge function as the seed
# describes it (the caller's token checked, the body validated, a rate limit in Redis, the job row inserted into
# Postgres, then BullMQ Queue.add with that row's id; same key, same Postgres, same Redis), and as a second
# reference the bare Queue.add alone. Then: how many acknowledged jobs are in Postgres, the queue depth and silo
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
trap 'stop_pid "$DATA/bullmq.pid"; stop_pid "$DATA/api-jit.pid"; stop_pid "$DATA/api-r2r.pid"; stop_stack "$DATA"' EXIT
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
# The seed's job row (its transcode_jobs table, here apart from ours).
pg -c "CREATE TABLE IF NOT EXISTS seed_jobs (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id text NOT NULL,
  input_file_url text NOT NULL, priority smallint NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
(cd "$DATA/bullmq" && spawn "$DATA" bullmq node server.js "$bullmq_port" "$TRANSCODER_REDIS_PORT" "$TRANSCODER_PG_PORT" \
  "$DATA/jwt.key" "$JWT_ISSUER" "$JWT_AUDIENCE")
WAIT_PID=$(cat "$DATA/bullmq.pid") wait_for "BullMQ endpoint (127.0.0.1:$bullmq_port)" 30 \
  curl -sf -X POST -H 'Content-Type: application/json' -d '{"inputUrl":"http://127.0.0.1/warm.mp4"}' "http://127.0.0.1:$bullmq_port/bare"

body="$DATA/job.json"
printf '{"inputUrl":"%s/%s/bench/input.mp4","priority":5}\n' "$TRANSCODER_S3_URL" "$TRANSCODER_BUCKET" >"$body"
auth="Authorization: Bearer $(mint_token "$DATA" bench-burst)"
seed_url="http://127.0.0.1:$bullmq_port/edge"
bare_url="http://127.0.0.1:$bullmq_port/bare"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d @"$body" "$seed_url")" = 401 ] \
  || die "the seed's edge function took a request without a token"

# Both runtimes compile hot code in tiers as it gets called (.NET: quick JIT, then instrumented, then optimized,
# on a background thread; V8 likewise), and a burst into a cold process mostly measures its compiler. So each
# path first takes two rounds of warm-up traffic at the burst's concurrency, ours draining in between.
warm=${BURST_WARMUP:-5000}
log "warm-up: 2 x $warm jobs each way (not counted)"
# The first round into our freshly started API is also what a new replica meets: it is reported as "cold".
for round in 1 2; do
  load "$bare_url" "$warm" "$connections" "$body" "$DATA/warm-bullmq.ids" >/dev/null
  load "$seed_url" "$warm" "$connections" "$body" "$DATA/warm-seed.ids" "$auth" >/dev/null
  warm_ours=$(load "$TRANSCODER_API_URL/v1/jobs" "$warm" "$connections" "$body" "$DATA/warm-ours.ids" "$auth")
  [ "$round" = 1 ] && cold=$warm_ours && echo "  cold: $cold"
  until [ "$(pg -c 'SELECT count(*) FROM job_queue')" = 0 ]; do sleep 1; done
done

# What the autoscaler adds mid-burst: a fresh API replica's first round, once as built (JIT) and once published
# ReadyToRun as Dockerfile.api ships it, each started now (the cluster warm) and hit with the warm-up round.
log "publishing the API ReadyToRun, as Dockerfile.api does"
dotnet publish "$REPO_ROOT/src/Transcoder.Api" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$DATA/api-r2r" --nologo -v q >/dev/null
fresh_replica_round() {
  local name=$1 folder=$2 port=$3 result
  ( app_env "$DATA"; export ASPNETCORE_URLS="http://127.0.0.1:$port"; cd "$folder"; spawn "$DATA" "$name" dotnet "$folder/Transcoder.Api.dll" )
  WAIT_PID=$(cat "$DATA/$name.pid") wait_for "fresh API replica $name" 120 curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null
  result=$(load "http://127.0.0.1:$port/v1/jobs" "$warm" "$connections" "$body" "$DATA/$name.ids" "$auth")
  stop_pid "$DATA/$name.pid"
  until [ "$(pg -c 'SELECT count(*) FROM job_queue')" = 0 ]; do sleep 1; done
  echo "$result"
}
cold_jit=$(fresh_replica_round api-jit "$REPO_ROOT/src/Transcoder.Api/bin/Release/net10.0" 58297)
echo "  fresh replica, JIT: $cold_jit"
cold_r2r=$(fresh_replica_round api-r2r "$DATA/api-r2r" 58298)
echo "  fresh replica, ReadyToRun: $cold_r2r"

log "burst: $jobs jobs over $connections connections to the seed's edge function (token, validation, rate limit, row, Queue.add)"
before=$(cpu_split)
seed=$(load_timed "$seed_url" "$jobs" "$connections" "$body" "$DATA/seed.ids" "$auth")
seed_cpu=$(per_job_ms "$before" "$(cpu_split)" "$(jq .acknowledged <<<"$seed")"); seed_load=$(load_ms "$jobs")
echo "  $seed"
seed_rows=$(pg -c "SELECT count(*) FROM seed_jobs")

log "burst: $jobs jobs over $connections connections to the bare BullMQ Queue.add"
before=$(cpu_split)
bullmq=$(load_timed "$bare_url" "$jobs" "$connections" "$body" "$DATA/bullmq.ids")
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

ours_rate=$(jq .perSec <<<"$ours"); bullmq_rate=$(jq .perSec <<<"$bullmq"); seed_rate=$(jq .perSec <<<"$seed")
echo
printf '%-34s %10s %10s %10s %8s\n' "" "per s" "p50 ms" "p99 ms" "ours /"
printf '%-34s %10s %10s %10s %8s\n' "seed edge function (token..add)" "$seed_rate" "$(jq .p50Ms <<<"$seed")" "$(jq .p99Ms <<<"$seed")" "$(echo "scale=3; $ours_rate / $seed_rate" | bc)"
printf '%-34s %10s %10s %10s %8s\n' "bare BullMQ Queue.add" "$bullmq_rate" "$(jq .p50Ms <<<"$bullmq")" "$(jq .p99Ms <<<"$bullmq")" "$(echo "scale=3; $ours_rate / $bullmq_rate" | bc)"
printf '%-34s %10s %10s %10s\n' "this service (durable)" "$ours_rate" "$(jq .p50Ms <<<"$ours")" "$(jq .p99Ms <<<"$ours")"
echo "acknowledged $acknowledged, persisted $persisted, queued right after the burst $queued, completed $completed; seed rows $seed_rows"
echo "CPU ms per accepted job during the burst (load generator: seed $seed_load, bare $bullmq_load, ours $ours_load):"
echo "  seed edge function $seed_cpu"
echo "  bare Queue.add $bullmq_cpu"
echo "  this service $ours_cpu (includes the drain that runs during the burst)"
echo "a fresh replica's first $warm jobs: JIT $(jq .perSec <<<"$cold_jit")/s p99 $(jq .p99Ms <<<"$cold_jit") ms," \
  "ReadyToRun $(jq .perSec <<<"$cold_r2r")/s p99 $(jq .p99Ms <<<"$cold_r2r") ms; the stack's own first round $(jq .perSec <<<"$cold")/s"
echo "silo memory: before $memory_before MB, with the burst queued $memory_burst MB, peak while draining $memory_peak MB"
printf '{"jobs":%d,"connections":%d,"acceptedPerSec":%s,"seedPerSec":%s,"ratioVsSeed":%.3f,"seedP99Ms":%s,"seedCpuMsPerJob":%s,"bullmqPerSec":%s,"ratio":%.3f,"p50Ms":%s,"p99Ms":%s,"bullmqP99Ms":%s,"acknowledged":%d,"persisted":%d,"lost":%d,"queueDepthAfterBurst":%s,"siloMemoryMb":%d,"siloMemoryPeakMb":%d,"drainedPerSec":%.1f,"completed":%d,"cpuMsPerJob":%s,"bullmqCpuMsPerJob":%s,"coldPerSec":%s,"coldP99Ms":%s,"freshJitPerSec":%s,"freshJitP99Ms":%s,"freshReadyToRunPerSec":%s,"freshReadyToRunP99Ms":%s,"warmPerSec":%s,"warmP99Ms":%s}\n' \
  "$jobs" "$connections" "$ours_rate" "$seed_rate" "$(echo "scale=4; $ours_rate / $seed_rate" | bc)" "$(jq .p99Ms <<<"$seed")" "$seed_cpu" \
  "$bullmq_rate" "$(echo "scale=4; $ours_rate / $bullmq_rate" | bc)" \
  "$(jq .p50Ms <<<"$ours")" "$(jq .p99Ms <<<"$ours")" "$(jq .p99Ms <<<"$bullmq")" \
  "$acknowledged" "$persisted" $((acknowledged - persisted)) "$queued" "$memory_burst" "$memory_peak" \
  "$(echo "scale=2; $completed / $drain_seconds" | bc)" "$completed" "$ours_cpu" "$bullmq_cpu" \
  "$(jq .perSec <<<"$cold")" "$(jq .p99Ms <<<"$cold")" \
  "$(jq .perSec <<<"$cold_jit")" "$(jq .p99Ms <<<"$cold_jit")" "$(jq .perSec <<<"$cold_r2r")" "$(jq .p99Ms <<<"$cold_r2r")" \
  "$(jq .perSec <<<"$warm_ours")" "$(jq .p99Ms <<<"$warm_ours")"
