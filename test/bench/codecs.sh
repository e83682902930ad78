#!/usr/bin/env bash
# What HEVC and AV1 rungs buy and cost against H.264, on the same 20 s 1080p clip as the ladder benchmark: each codec
# encodes the service's four rungs (1080p, 720p, 480p, 360p) from one decode, with the service's encoder settings
# (a fixed 2 s GOP, no scene-cut keyframes, closed GOPs; x264 and x265 "fast", SVT-AV1 at presets 10 and 8), at four
# quality points each. Per rung: bitrate and PSNR (against the source scaled the same way) at each point, and the
# BD-rate against H.264 (the bits it spends for the same PSNR, VCEG-M33, test/bench/bdrate.mjs); per codec: the
# CPU-seconds (user+sys) of the run at the service's own quality (x264 CRF 23, x265 CRF 28, SVT-AV1 CRF 35) and their
# ratio to H.264's. No stack: ffmpeg alone. Last line: one JSON object.
set -euo pipefail
source "$(dirname "$0")/../../infra/local/lib.sh"
ensure_packages

DATA="$REPO_ROOT/.data/bench-codecs"
rm -rf "$DATA"
mkdir -p "$DATA"
source "$(dirname "$0")/clips.sh"
log "making the 20 s 1080p clip"
clip source20.mp4 20
src="$DATA/source20.mp4"
sizes=("1920:1080" "1280:720" "854:480" "640:360")
names=(1080p 720p 480p 360p)
declare -A points=([h264]="19 23 27 31" [hevc]="24 28 32 36" [av1-10]="27 35 43 51" [av1-8]="27 35 43 51")
declare -A service=([h264]=23 [hevc]=28 [av1-10]=35 [av1-8]=35)
codecs=(h264 hevc av1-10 av1-8)

# One output's encoder, as FfmpegArguments makes it (without the VBV caps, so the curves are the codecs' own).
encoder() {
  case $1 in
    h264) echo "-c:v libx264 -preset fast -crf $2 -profile:v high -g 60 -keyint_min 60 -sc_threshold 0" ;;
    hevc) echo "-c:v libx265 -preset fast -crf $2 -tag:v hvc1 -g 60 -keyint_min 60 -x265-params scenecut=0:open-gop=0:log-level=error" ;;
    av1-*) echo "-c:v libsvtav1 -preset ${1#av1-} -crf $2 -g 60 -svtav1-params irefresh-type=2" ;;
  esac
}

# CODEC QUALITY: one decode, the four rungs; prints the CPU-seconds (user+sys).
encode() {
  local out="$DATA/$1-$2" graph="[0:v]split=4[s0][s1][s2][s3]" outputs=()
  mkdir -p "$out"
  for i in 0 1 2 3; do
    graph+=";[s$i]scale=${sizes[$i]}:flags=bicubic[v$i]"
    # shellcheck disable=SC2207
    outputs+=(-map "[v$i]" $(encoder "$1" "$2") -an "$out/${names[$i]}.mp4")
  done
  /usr/bin/time -f "%U %S" ffmpeg -hide_banner -loglevel error -y -i "$src" -filter_complex "$graph" "${outputs[@]}" 2>&1 >/dev/null | tail -n 1 | awk '{printf "%.1f", $1 + $2}'
}

# FILE RUNG: PSNR (all planes, mean over frames) against the source scaled as the rung was.
psnr() {
  ffmpeg -hide_banner -i "$1" -i "$src" -lavfi "[1:v]scale=${sizes[$2]}:flags=bicubic[ref];[0:v][ref]psnr" -f null - 2>&1 \
    | grep -o 'average:[0-9.]*' | head -n 1 | cut -d: -f2
}
kbps() { stat -c %s "$1" | awk '{printf "%.0f", $1 * 8 / 20 / 1000}'; }

results="$DATA/points.jsonl"
: >"$results"
for codec in "${codecs[@]}"; do
  for quality in ${points[$codec]}; do
    log "$codec at $quality"
    cpu=$(encode "$codec" "$quality")
    for i in 0 1 2 3; do
      file="$DATA/$codec-$quality/${names[$i]}.mp4"
      jq -nc --arg codec "$codec" --argjson quality "$quality" --arg rung "${names[$i]}" --argjson cpu "$cpu" \
        --argjson kbps "$(kbps "$file")" --argjson psnr "$(psnr "$file" "$i")" \
        '{codec: $codec, quality: $quality, rung: $rung, cpuSeconds: $cpu, kbps: $kbps, psnr: $psnr}' >>"$results"
    done
  done
done

# BD-rate of each codec against H.264, per rung; CPU at the service's quality.
summary="{}"
h264_cpu=$(jq -s --argjson q "${service[h264]}" 'map(select(.codec == "h264" and .quality == $q))[0].cpuSeconds' "$results")
for codec in "${codecs[@]}"; do
  cpu=$(jq -s --arg c "$codec" --argjson q "${service[$codec]}" 'map(select(.codec == $c and .quality == $q))[0].cpuSeconds' "$results")
  entry=$(jq -n --argjson cpu "$cpu" --argjson base "$h264_cpu" --argjson q "${service[$codec]}" '{serviceQuality: $q, cpuSeconds: $cpu, cpuRatio: (($cpu / $base * 100 | round) / 100), bdRatePercent: {}, atServiceQuality: {}}')
  for rung in "${names[@]}"; do
    curve() { jq -sc --arg c "$1" --arg r "$rung" 'map(select(.codec == $c and .rung == $r)) | sort_by(.kbps) | map([.kbps, .psnr])' "$results"; }
    bd=$(jq -nc --argjson reference "$(curve h264)" --argjson test "$(curve "$codec")" '{reference: $reference, test: $test}' | node "$(dirname "$0")/bdrate.mjs")
    at=$(jq -sc --arg c "$codec" --arg r "$rung" --argjson q "${service[$codec]}" 'map(select(.codec == $c and .rung == $r and .quality == $q))[0] | {kbps, psnr}' "$results")
    entry=$(jq -c --arg r "$rung" --argjson bd "$bd" --argjson at "$at" '.bdRatePercent[$r] = $bd | .atServiceQuality[$r] = $at' <<<"$entry")
  done
  summary=$(jq -c --arg c "$codec" --argjson e "$entry" '.[$c] = $e' <<<"$summary")
  log "$codec: $(jq -c . <<<"$entry")"
done
jq -c '{clip: "20 s 1080p30 (the ladder benchmark'"'"'s)", rungs: ["1080p", "720p", "480p", "360p"]} + .' <<<"$summary"
