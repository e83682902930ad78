#!/usr/bin/env bash
# The whole cluster killed and started again with N jobs queued (default 1,000): every acknowledged job must
# still be driven to the end, by the durable queue alone. Submits N jobs over HTTP, lets the silo start a few,
# kills it (kill -9: no hand-back, its claims just run out), starts a new silo, and waits until every job has
# completed. Uses the load benchmark's silo (instant pipeline, a test double of the benchmarks only).
#   usage: test/bench/restart.sh [N]
# Starts its own stack under .data/bench and stops it. Last line: one JSON object.
set -euo pipefail
source "$(dirname "$0")/../../infra/local/lib.sh"
source "$(dirname "$0")/common.sh"

jobs=${1:-1000}
export SILO_APP=test/bench/Transcoder.Bench.Silo
export Worker__EncodeSlots=4
start_bench_stack

body="$DATA/job.json"
printf '{"inputUrl":"%s/%s/bench/input.mp4","priority":5}\n' "$TRANSCODER_S3_URL" "$TRANSCODER_BUCKET" >"$body"
auth="Authorization: Bearer $(mint_token "$DATA" bench-restart)"

log "submitting $jobs jobs"
load "$TRANSCODER_API_URL/v1/jobs" "$jobs" 50 "$body" "$DATA/restart.ids" "$auth" >/dev/null
acknowledged=$(wc -l <"$DATA/restart.ids")
persisted=$(load_ids "$DATA/restart.ids")

log "killing the silo (kill -9) with jobs queued and running"
kill -9 "$(cat "$DATA/silo.pid")"
while kill -0 "$(cat "$DATA/silo.pid")" 2>/dev/null; do sleep 0.1; done
queued=$(pg -c "SELECT count(*) FROM job_queue WHERE claimed_by IS NULL")
held=$(pg -c "SELECT count(*) FROM job_queue WHERE claimed_by IS NOT NULL")
done_before=$(ids_completed)
sleep 2

log "starting a new silo ($queued queued, $held held by the dead one)"
start=$SECONDS
start_silo "$DATA" Release
deadline=$((SECONDS + 900))
while [ "$(ids_not_completed)" != 0 ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 1; done
seconds=$((SECONDS - start))
completed=$(ids_completed)
stuck=$(ids_not_completed)

echo "acknowledged $acknowledged, persisted $persisted; at the kill: $done_before completed, $queued queued, $held running"
echo "after the restart: $completed completed, $stuck not completed, $seconds s from the new silo's start"
printf '{"jobs":%d,"acknowledged":%d,"persisted":%d,"completedBeforeKill":%d,"queuedAtKill":%d,"runningAtKill":%d,"completed":%d,"stuck":%d,"secondsAfterRestart":%d}\n' \
  "$jobs" "$acknowledged" "$persisted" "$done_before" "$queued" "$held" "$completed" "$stuck" "$seconds"
[ "$stuck" = 0 ]
