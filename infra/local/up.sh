#!/usr/bin/env bash
# Brings up the whole service on loopback and runs its main job:
#   infra/local/up.sh [VIDEO]     install what is missing, start everything, transcode VIDEO (or a generated
#                                 10 s 1080p sample with audio), show progress, print the URLs; Ctrl-C stops all.
#   infra/local/up.sh --detach    the same, but return once the stack is ready (no sample job), leaving it up.
#   infra/local/up.sh --silos N   start N silos (one cluster), not one.
# Settings in the environment reach the silos and the API: e.g. Chunking__MinSourceSeconds=8 Chunking__ChunkSeconds=4
# encode any title from 8 s on in 4 s chunks, side by side on every silo (with --silos 2, say), rather than from 120 s.
# Run again while the stack (or part of it) runs, it starts only what is not running: a silo killed with kill -9,
# say. Everything lives under .data/; infra/local/down.sh stops what this started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

detach=false
video=""
silos=1
while [ $# -gt 0 ]; do
  case "$1" in
    --detach) detach=true ;;
    --silos)
      [ $# -ge 2 ] || die "--silos needs a number"
      silos=$2
      shift
      ;;
    --silos=*) silos=${1#--silos=} ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) video=$1 ;;
  esac
  shift
done
[ -z "$video" ] || [ -f "$video" ] || die "no such file: $video"
[[ "$silos" =~ ^[0-9]+$ ]] && [ "$silos" -ge 1 ] && [ "$silos" -le 32 ] || die "--silos takes a number from 1 to 32"

DATA="$REPO_ROOT/.data"
set_ports 0

ensure_packages
build_solution Release
trap 'echo; log "stopping"; stop_stack "$DATA"' EXIT
start_stack "$DATA" Release "$silos"
source "$DATA/local.env"

print_urls() {
  cat <<INFO

  Web app      $TRANSCODER_API_URL/   (sign in with the dev token below)
  API          $TRANSCODER_API_URL
  OpenAPI      $TRANSCODER_OPENAPI_URL   (reference page: $TRANSCODER_API_URL/docs)
  Dashboard    $TRANSCODER_DASHBOARD_URL?access_token=\$TRANSCODER_TOKEN
  Metrics      $TRANSCODER_METRICS_URL
  Silos        $TRANSCODER_SILO_URLS
  Dev token    $TRANSCODER_TOKEN
               (tenant "dev", admin; more: infra/local/token.sh TENANT [--admin])
  Settings     $DATA/local.env
  Chunking     titles from ${Chunking__MinSourceSeconds:-120} s in chunks of ${Chunking__ChunkSeconds:-20} s, the first ${Chunking__FirstChunkSeconds:-4} s (Chunking__* in the environment)
INFO
}

if $detach; then
  trap - EXIT
  print_urls
  log "the stack stays up; infra/local/down.sh stops it"
  exit 0
fi

if [ -z "$video" ]; then
  video="$DATA/sample-1080p.mp4"
  if [ ! -s "$video" ]; then
    log "generating a 10 s 1080p sample with audio"
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" \
      -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 10 -c:v libx264 -preset veryfast -crf 20 \
      -pix_fmt yuv420p -c:a aac -b:a 128k -shortest "$video"
  fi
fi

log "submitting $video"
auth=(-H "Authorization: Bearer $TRANSCODER_TOKEN")
job=$(curl -sS --fail-with-body "${auth[@]}" -F "file=@$video" -F priority=5 "$TRANSCODER_API_URL/v1/jobs") \
  || die "submission failed: $job"
id=$(jq -r .id <<<"$job")
log "job $id"

started=$SECONDS
while :; do
  job=$(curl -sS "${auth[@]}" "$TRANSCODER_API_URL/v1/jobs/$id")
  status=$(jq -r .status <<<"$job")
  printf '\r  %-10s %-11s %5.1f%%  %3ds' "$status" "$(jq -r .stage <<<"$job")" "$(jq -r .progress <<<"$job")" $((SECONDS - started))
  case "$status" in completed|failed|canceled) echo; break ;; esac
  sleep 1
done

if [ "$status" = completed ]; then
  jq -r '.renditions[] | "  \(.kind)\t\(.name)\t\(if .kind == "video" then "\(.width)x\(.height)" else "\(.channels // "-") ch \(.language // "und")" end)\t\(.bandwidth) b/s peak\t\(.codecs)"' <<<"$job"
  echo
  echo "  Job          $id ($(jq -r '"\(.chunks) chunk(s) on \(.silos) silo(s)"' <<<"$job"))"
  echo "  HLS          $(jq -r .hlsUrl <<<"$job")"
  echo "  DASH         $(jq -r .dashUrl <<<"$job")"
else
  echo "  Job $id $status: $(jq -c .error <<<"$job")"
fi
print_urls
log "running; press Ctrl-C to stop everything"
while sleep 3600; do :; done
