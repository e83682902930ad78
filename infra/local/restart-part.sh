#!/usr/bin/env bash
# Restarts one part of a running local stack in place (same port, same data), for fault tests:
#   infra/local/restart-part.sh postgres|redis DATA [SECONDS_DOWN]
# Postgres stops with a fast shutdown (open connections are cut); Redis with SHUTDOWN (its append-only file
# keeps what it held). The part stays down SECONDS_DOWN (default 0) before it starts again.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

part=$1
data=$(cd "$2" && pwd)
down=${3:-0}
# shellcheck disable=SC1091
source "$data/local.env"
PG_PORT=$TRANSCODER_PG_PORT
REDIS_PORT=$TRANSCODER_REDIS_PORT

case $part in
  postgres)
    pg_as_owner "$(pg_bin)/pg_ctl" -D "$data/pg" -m fast -w stop >/dev/null
    sleep "$down"
    start_postgres "$data"
    ;;
  redis)
    pid=$(cat "$data/redis.pid")
    redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    sleep "$down"
    start_redis "$data"
    ;;
  *) die "usage: $0 postgres|redis DATA [SECONDS_DOWN]" ;;
esac
