#!/usr/bin/env bash
# Shared by up.sh, down.sh, token.sh and test.sh: installs what is missing, then starts and stops the local
# parts (Postgres, Redis, the S3 endpoint, a silo, the API) on loopback, with every file under one data folder.
# Every process started here leaves a pid file in that folder; stop_stack stops exactly those.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
S3_DIR="$REPO_ROOT/infra/local/s3"
BUCKET=transcoder
JWT_ISSUER=transcoder
JWT_AUDIENCE=transcoder-api

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || die "PostgreSQL server binaries not found"
  echo "$dir"
}

# Installs the Debian packages and the npm S3 endpoint that the stack needs, if they are missing.
ensure_packages() {
  local missing=()
  command -v ffmpeg >/dev/null || missing+=(ffmpeg)
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  command -v jq >/dev/null || missing+=(jq)
  command -v curl >/dev/null || missing+=(curl)
  command -v openssl >/dev/null || missing+=(openssl)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [ ! -f "$S3_DIR/node_modules/s3rver/bin/s3rver.js" ]; then
    log "installing the local S3 endpoint (npm ci)"
    (cd "$S3_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

# Installs what the browser tests drive: Debian's Chromium and playwright-core (test/browser).
ensure_browser() {
  if ! command -v chromium >/dev/null; then
    log "installing chromium"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  fi
  if [ ! -d "$REPO_ROOT/test/browser/node_modules/playwright-core" ]; then
    log "installing playwright-core (npm ci)"
    (cd "$REPO_ROOT/test/browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

# Port layout of one stack, from a base (up.sh: 0, test.sh: 100).
set_ports() {
  local offset=$1
  PG_PORT=$((55432 + offset))
  REDIS_PORT=$((56379 + offset))
  S3_PORT=$((54568 + offset))
  SILO_PORT=$((51111 + offset))
  GATEWAY_PORT=$((53000 + offset))
  SILO_HTTP_PORT=$((58081 + offset))
  API_PORT=$((58080 + offset))
}

# Waits until a command succeeds, up to a number of seconds (and only while WAIT_PID, if set, is alive).
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    if [ -n "${WAIT_PID:-}" ] && ! kill -0 "$WAIT_PID" 2>/dev/null; then return 1; fi
    sleep 0.5
  done
  log "$what is up"
}

# Whether the process of DATA/NAME.pid is alive.
running() { [ -f "$1/$2.pid" ] && kill -0 "$(cat "$1/$2.pid")" 2>/dev/null; }

# Starts a background process, recording its pid in DATA/NAME.pid and its output in DATA/NAME.log.
spawn() {
  local data=$1 name=$2; shift 2
  nohup "$@" >"$data/$name.log" 2>&1 &
  echo $! >"$data/$name.pid"
}

start_postgres() {
  local data=$1 bin pgdata
  bin=$(pg_bin)
  pgdata="$data/pg"
  if [ -f "$pgdata/PG_VERSION" ] && pg_as_owner "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    log "Postgres is already up on 127.0.0.1:$PG_PORT"
    return
  fi
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    mkdir -p "$pgdata"
    if [ "$(id -u)" = 0 ]; then
      # initdb and postgres refuse to run as root: they run as the postgres user, who must reach the folder.
      chown -R postgres:postgres "$pgdata"
      if ! runuser -u postgres -- test -w "$pgdata"; then
        local dir="$data"
        while [ "$dir" != / ]; do chmod o+x "$dir" 2>/dev/null || true; dir=$(dirname "$dir"); done
        log "made the folders above $data traversable so the postgres user can reach its data"
      fi
    fi
    pg_as_owner "$bin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --no-instructions >"$data/initdb.log" 2>&1 \
      || die "initdb failed; see $data/initdb.log"
  fi
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$data" 2>/dev/null && chmod 755 "$data" || true
  pg_as_owner "$bin/pg_ctl" -D "$pgdata" -l "$data/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $pgdata -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on" start >/dev/null \
    || die "Postgres did not start; see $data/postgres.log"
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'transcoder'" | grep -q 1 \
    || "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE transcoder" >/dev/null
  log "Postgres is up on 127.0.0.1:$PG_PORT"
}

pg_as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

start_redis() {
  local data=$1
  if running "$data" redis; then
    log "Redis is already up on 127.0.0.1:$REDIS_PORT"
    return
  fi
  mkdir -p "$data/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$data/redis" --daemonize yes \
    --pidfile "$data/redis.pid" --logfile "$data/redis.log" --appendonly yes --save "" >/dev/null
  wait_for "Redis on 127.0.0.1:$REDIS_PORT" 20 redis-cli -p "$REDIS_PORT" ping || die "Redis did not start; see $data/redis.log"
}

start_s3() {
  local data=$1
  if running "$data" s3; then
    log "the S3 endpoint is already up on 127.0.0.1:$S3_PORT"
    return
  fi
  mkdir -p "$data/s3"
  spawn "$data" s3 node "$S3_DIR/server.js" -d "$data/s3" -a 127.0.0.1 -p "$S3_PORT" \
    --no-vhost-buckets --configure-bucket "$BUCKET" "$S3_DIR/cors.xml"
  wait_for "S3 endpoint on 127.0.0.1:$S3_PORT" 30 curl -sf "http://127.0.0.1:$S3_PORT/" || die "S3 endpoint did not start; see $data/s3.log"
}

# The HMAC keys dev tokens and webhooks are signed with; made once per data folder.
ensure_jwt_key() {
  local data=$1
  [ -s "$data/jwt.key" ] || { umask 077; openssl rand -base64 32 >"$data/jwt.key"; }
  [ -s "$data/webhook.key" ] || { umask 077; openssl rand -base64 32 >"$data/webhook.key"; }
}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# Prints a signed HS256 token for TENANT (with the admin role if ADMIN is "admin"), valid for a day.
mint_token() {
  local data=$1 tenant=$2 admin=${3:-} now header payload hexkey signature role=""
  [ -s "$data/jwt.key" ] || die "no signing key in $data; start the stack first"
  now=$(date +%s)
  [ "$admin" = admin ] && role=',"role":"admin"'
  header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
  payload=$(printf '{"iss":"%s","aud":"%s","sub":"%s","iat":%d,"nbf":%d,"exp":%d%s}' \
    "$JWT_ISSUER" "$JWT_AUDIENCE" "$tenant" "$now" "$now" $((now + 86400)) "$role" | b64url)
  hexkey=$(openssl base64 -d -A <"$data/jwt.key" | od -An -tx1 | tr -d ' \n')
  signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | b64url)
  printf '%s.%s.%s\n' "$header" "$payload" "$signature"
}

# Environment shared by the silo and the API.
app_env() {
  local data=$1
  export Cluster__RedisConnectionString="127.0.0.1:$REDIS_PORT,abortConnect=false"
  export Postgres__ConnectionString="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=transcoder;Maximum Pool Size=50"
  export ObjectStore__ServiceUrl="http://127.0.0.1:$S3_PORT"
  export ObjectStore__Bucket="$BUCKET"
  export ObjectStore__AccessKey=S3RVER
  export ObjectStore__SecretKey=S3RVER
  export ObjectStore__PublicBaseUrl="http://127.0.0.1:$S3_PORT/$BUCKET"
  export Media__ScratchRoot="$data/scratch"
  export Fetch__AllowedHosts__0="127.0.0.1:$S3_PORT"
  # The test stack also trusts a loopback port where tests run origins that misbehave on purpose.
  [ -z "${TEST_ORIGIN_PORT:-}" ] || export Fetch__AllowedHosts__1="127.0.0.1:$TEST_ORIGIN_PORT"
  export Auth__SigningKeys__0 Webhooks__SigningKey
  Auth__SigningKeys__0=$(cat "$data/jwt.key")
  Webhooks__SigningKey=$(cat "$data/webhook.key")
  # ...and one where tests receive webhooks, over plain http (every other callback URL must be https).
  if [ -n "${TEST_ORIGIN_PORT:-}" ]; then
    export Webhooks__AllowedHosts__0="127.0.0.1:$((TEST_ORIGIN_PORT + 1))"
    export Webhooks__PlainHttpHosts__0="127.0.0.1:$((TEST_ORIGIN_PORT + 1))"
  fi
  export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
}

# Builds the solution once (CONFIG: Release for up.sh, Debug for test.sh).
build_solution() {
  local config=$1
  log "building ($config)"
  dotnet build "$REPO_ROOT/Transcoder.Orleans.sln" -c "$config" -nologo -v quiet -clp:ErrorsOnly >&2 || die "build failed"
}

start_silo() {
  local data=$1 config=$2 name=${3:-silo} silo_port=${4:-$SILO_PORT} gateway_port=${5:-$GATEWAY_PORT} http_port=${6:-$SILO_HTTP_PORT}
  if running "$data" "$name"; then
    log "$name is already up (http://127.0.0.1:$http_port)"
    return
  fi
  mkdir -p "$data/scratch"
  (
    app_env "$data"
    export Silo__SiloPort=$silo_port Silo__GatewayPort=$gateway_port Silo__AdvertisedAddress=127.0.0.1 Silo__Name="$name"
    export ASPNETCORE_URLS="http://127.0.0.1:$http_port"
    # SILO_APP: another host of the same silo (the load benchmark's, whose attempts finish at once).
    local app=${SILO_APP:-src/Transcoder.Silo}
    cd "$REPO_ROOT/$app/bin/$config/net10.0"
    # SILO_CPUS: the cores the silo (and the ffmpeg it starts) may use, for benchmarks (taskset keeps the pid).
    spawn "$data" "$name" ${SILO_CPUS:+taskset -c "$SILO_CPUS"} dotnet "$REPO_ROOT/$app/bin/$config/net10.0/$(basename "$app").dll"
  )
  WAIT_PID=$(cat "$data/$name.pid") wait_for "$name (http://127.0.0.1:$http_port)" 120 curl -sf "http://127.0.0.1:$http_port/health/ready" \
    || { tail -n 30 "$data/$name.log" >&2; die "$name did not start; see $data/$name.log"; }
}

start_api() {
  local data=$1 config=$2
  if running "$data" api; then
    log "the API is already up (http://127.0.0.1:$API_PORT)"
    return
  fi
  (
    app_env "$data"
    export ASPNETCORE_URLS="http://127.0.0.1:$API_PORT"
    cd "$REPO_ROOT/src/Transcoder.Api/bin/$config/net10.0"
    spawn "$data" api dotnet "$REPO_ROOT/src/Transcoder.Api/bin/$config/net10.0/Transcoder.Api.dll"
  )
  WAIT_PID=$(cat "$data/api.pid") wait_for "API (http://127.0.0.1:$API_PORT)" 120 curl -sf "http://127.0.0.1:$API_PORT/health/ready" \
    || { tail -n 30 "$data/api.log" >&2; die "the API did not start; see $data/api.log"; }
}

# Silo I of a stack (1-based): its name and its ports ("silo" and the stack's own ports for the first).
silo_of() {
  local i=$1
  if [ "$i" -eq 1 ]; then echo "silo $SILO_PORT $GATEWAY_PORT $SILO_HTTP_PORT"; return; fi
  echo "silo-$i $((SILO_PORT + i - 1)) $((GATEWAY_PORT + i - 1)) $((SILO_HTTP_PORT + i - 1))"
}

# Brings up every part that is not running already (SILOS silos, default 1); writes DATA/local.env for scripts and
# tests. Run again after a part died, it starts that part and leaves the others as they are.
start_stack() {
  local data=$1 config=$2 silos=${3:-1} i
  mkdir -p "$data"
  data=$(cd "$data" && pwd)
  ensure_jwt_key "$data"
  start_postgres "$data"
  start_redis "$data"
  start_s3 "$data"
  for i in $(seq 1 "$silos"); do
    # shellcheck disable=SC2046
    start_silo "$data" "$config" $(silo_of "$i")
  done
  start_api "$data" "$config"
  write_env "$data" "$silos"
}

write_env() {
  local data=$1 silos=${2:-1} token admin silo_urls="" i
  token=$(mint_token "$data" dev admin)
  for i in $(seq 1 "$silos"); do
    # shellcheck disable=SC2046
    set -- $(silo_of "$i")
    silo_urls="$silo_urls${silo_urls:+ }http://127.0.0.1:$4"
  done
  cat >"$data/local.env" <<ENV
# Written by infra/local scripts: the running local stack.
TRANSCODER_DATA='$data'
TRANSCODER_API_URL='http://127.0.0.1:$API_PORT'
TRANSCODER_TOKEN='$token'
TRANSCODER_DASHBOARD_URL='http://127.0.0.1:$API_PORT/dashboard'
TRANSCODER_OPENAPI_URL='http://127.0.0.1:$API_PORT/openapi/v1.json'
TRANSCODER_METRICS_URL='http://127.0.0.1:$SILO_HTTP_PORT/metrics'
TRANSCODER_SILO_URLS='$silo_urls'
TRANSCODER_S3_URL='http://127.0.0.1:$S3_PORT'
TRANSCODER_BUCKET='$BUCKET'
TRANSCODER_PG='Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=transcoder'
TRANSCODER_REDIS='127.0.0.1:$REDIS_PORT'
TRANSCODER_PG_PORT='$PG_PORT'
TRANSCODER_TEST_ORIGIN_PORT='${TEST_ORIGIN_PORT:-}'
TRANSCODER_TEST_WEBHOOK_PORT='${TEST_ORIGIN_PORT:+$((TEST_ORIGIN_PORT + 1))}'
TRANSCODER_REDIS_PORT='$REDIS_PORT'
TRANSCODER_S3_PORT='$S3_PORT'
TRANSCODER_SILO_PORT='$SILO_PORT'
TRANSCODER_GATEWAY_PORT='$GATEWAY_PORT'
ENV
}

# For benchmarks: a fresh Release stack under .data/bench (ports apart from up.sh's and test.sh's), stopped
# when the calling script exits; also installs time and bc for measuring. Sets DATA and sources local.env.
start_bench_stack() {
  DATA="$REPO_ROOT/.data/bench"
  set_ports 200
  ensure_packages
  [ -x /usr/bin/time ] && command -v bc >/dev/null || as_root apt-get install -y -qq time bc >/dev/null
  stop_stack "$DATA"
  rm -rf "$DATA"
  mkdir -p "$DATA"
  build_solution Release
  trap 'stop_stack "$DATA"' EXIT
  # The benchmarks measure the service's capacity, not one tenant's budget: the limiter stays in the path
  # (every request still draws on Redis) with a budget no burst reaches.
  export RateLimits__RequestsPerSecond=10000000 RateLimits__Burst=10000000
  start_stack "$DATA" Release
  source "$DATA/local.env"
}

# Stops a process by its pid file: TERM, then KILL after a grace period.
stop_pid() {
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop_stack() {
  local data=$1 bin file
  [ -d "$data" ] || return 0
  for file in "$data"/api.pid "$data"/silo*.pid "$data"/s3.pid; do
    [ -e "$file" ] && stop_pid "$file"
  done
  stop_pid "$data/redis.pid"
  if [ -f "$data/pg/postmaster.pid" ]; then
    bin=$(pg_bin)
    pg_as_owner "$bin/pg_ctl" -D "$data/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
