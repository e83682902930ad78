#!/usr/bin/env bash
# Runs every test against real parts: starts its own Postgres, Redis, S3 endpoint, silo and API on loopback
# (ports apart from up.sh's, data under .data/test), runs all test projects, stops everything it started,
# and exits non-zero if any test failed. Usage: infra/local/test.sh [extra dotnet test arguments]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DATA="$REPO_ROOT/.data/test"
set_ports 100
export TEST_ORIGIN_PORT=$((54700 + 100))
# Settings of the test stack's silo and API only, not of the processes the tests start themselves (the cluster
# tests' silos form a cluster of their own, with the defaults).
stack_settings=(
  # Tenants the limit tests use, with small budgets of their own (every other tenant has the defaults).
  RateLimits__Tenants__0__Tenant=test-rate-limited RateLimits__Tenants__0__RequestsPerSecond=1 RateLimits__Tenants__0__Burst=3
  Jobs__TenantCaps__0__Tenant=test-in-flight-cap Jobs__TenantCaps__0__MaxJobsInFlight=1
  # Webhook retries a second apart rather than five, so the retry test is short.
  Webhooks__FirstRetryDelay=00:00:01
  # A tenant whose jobs report to a callback URL of its own when they name none.
  Webhooks__Tenants__0__Tenant=test-tenant-webhook Webhooks__Tenants__0__Url="http://127.0.0.1:$((TEST_ORIGIN_PORT + 1))/tenant-hooks"
  # A tenant whose jobs are normalised to EBU R128 broadcast loudness when they ask for no loudness of their own.
  Api__TenantLoudness__0__Tenant=test-loudness Api__TenantLoudness__0__TargetLufs=-23
  # A tenant whose jobs get HEVC beside H.264 and an M4A download when they ask for no outputs of their own.
  Api__TenantOutputs__0__Tenant=test-outputs Api__TenantOutputs__0__Codecs__0=hevc Api__TenantOutputs__0__Downloads__0=m4a
  # Titles past a minute are encoded in chunks of 16 s (the chunked end-to-end test uploads 64 s; every other clip is shorter).
  Chunking__MinSourceSeconds=61 Chunking__ChunkSeconds=16
  # S3's smallest part, so that resumable-upload tests need only a small clip for several parts.
  Api__UploadPartBytes=5242880
)

ensure_packages
ensure_browser
stop_stack "$DATA"   # leftovers of an interrupted run
rm -rf "$DATA"
mkdir -p "$DATA"
build_solution Debug
trap 'log "stopping the test stack"; stop_stack "$DATA"' EXIT
export "${stack_settings[@]}"
start_stack "$DATA" Debug
unset "${stack_settings[@]%%=*}"
set -a
source "$DATA/local.env"
set +a

log "running the tests"
status=0
# One test project at a time: several encode with ffmpeg, and this machine may have only two cores.
dotnet test "$REPO_ROOT/Transcoder.Orleans.sln" --no-build -c Debug -m:1 \
  --results-directory "$DATA/results" --logger "trx" --logger "console;verbosity=normal" "$@" 2>&1 | tee "$DATA/test.log" \
  || status=$?

# Sums one of the counters dotnet test prints per test project ("     Passed: 12").
count() { awk -v key="$1:" '$1 == key {s += $2} END {print s + 0}' "$DATA/test.log"; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
echo
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  # Repeat each failure with its message and the top of its stack trace last, where a CI log's tail shows it.
  if [ "$failed" -ne 0 ]; then
    echo
    echo "Failed tests:"
    awk '/^  Failed / {n = 25} n > 0 {print; n--}' "$DATA/test.log"
  fi
  log "tests failed; logs: $DATA/*.log, results: $DATA/results"
  exit 1
fi
