#!/usr/bin/env bash
# Prints a fresh bearer token for a tenant of the local stack:  infra/local/token.sh TENANT [--admin]
# Signed with the stack's key (.data/jwt.key, or TRANSCODER_DATA's); valid for 24 hours.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ $# -ge 1 ] && [[ "$1" != -* ]] || die "usage: infra/local/token.sh TENANT [--admin]"
[[ "$1" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || die "a tenant is 1-64 letters, digits, '.', '_' or '-'"
admin=""
[ "${2:-}" = --admin ] && admin=admin
mint_token "${TRANSCODER_DATA:-$REPO_ROOT/.data}" "$1" "$admin"
