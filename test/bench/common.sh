# Helpers of the load benchmarks (burst.sh, restart.sh), sourced after infra/local/lib.sh and start_bench_stack.
LOAD_DLL="$REPO_ROOT/test/bench/Transcoder.Bench.Load/bin/Release/net10.0/Transcoder.Bench.Load.dll"

pg() { psql -X -q -h 127.0.0.1 -p "$TRANSCODER_PG_PORT" -U postgres -d transcoder -At "$@"; }
# The load generator: URL JOBS CONNECTIONS BODY_FILE IDS_OUT [HEADER ...]; prints one JSON object.
load() { dotnet "$LOAD_DLL" "$@"; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$(cat "$DATA/silo.pid")/status"; }

# Loads acknowledged job ids (one per line) as the set the next two functions count; prints how many have a job row.
load_ids() {
  pg -c "CREATE TABLE IF NOT EXISTS bench_ids (id uuid PRIMARY KEY)" -c "TRUNCATE bench_ids"
  pg -c "\\copy bench_ids FROM '$1'"
  pg -c "SELECT count(*) FROM bench_ids b JOIN transcode_jobs j USING (id)"
}
ids_completed() { pg -c "SELECT count(*) FROM bench_ids b JOIN transcode_jobs j USING (id) WHERE j.status = 'completed'"; }
ids_not_completed() { pg -c "SELECT count(*) FROM bench_ids b LEFT JOIN transcode_jobs j USING (id) WHERE j.status IS DISTINCT FROM 'completed'"; }
