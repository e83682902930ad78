#!/usr/bin/env bash
# Stops everything infra/local/up.sh started (by the pid files under .data/). Data stays; rm -rf .data to reset.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
stop_stack "$REPO_ROOT/.data"
log "stopped"
