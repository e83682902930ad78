# Helpers of the media benchmarks (ladder.sh, tracks.sh), sourced after infra/local/lib.sh and start_bench_stack.

ticks=$(getconf CLK_TCK)
# CPU seconds (user+sys, children included: ffmpeg) the silo and the API have used so far.
service_cpu_now() { awk -v t="$ticks" '{s += ($14 + $15 + $16 + $17) / t} END {printf "%.2f", s}' "/proc/$(cat "$DATA/silo.pid")/stat" "/proc/$(cat "$DATA/api.pid")/stat"; }
# The smallest of some numbers: on a shared machine, the least disturbed of several runs.
smallest() { tr ' ' '\n' | grep -v '^$' | sort -g | head -n 1; }
# Polls a job (with the token in ${auth[@]}) until it ends; prints it if it completed, stops the benchmark if not.
wait_done() {
  local job
  while :; do
    job=$(curl -sS "${auth[@]}" "$TRANSCODER_API_URL/v1/jobs/$1")
    case $(jq -r .status <<<"$job") in completed) echo "$job"; return ;; failed|canceled) die "job $1: $job" ;; esac
    sleep 0.25
  done
}
