#!/usr/bin/env bash
# Run the whole test suite. PostgreSQL when DATABASE_URL is set, Redis when REDIS_URL is set,
# Chromium at /usr/bin/chromium (or BCBT_CHROMIUM) for browser tests.
set -euo pipefail
BIN="$1"
exec "$BIN/pytest" "${@:2}"
