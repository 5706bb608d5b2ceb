#!/usr/bin/env bash
# Serve bcbt with a Celery worker and beat on the filesystem broker; stop them all together.
set -euo pipefail
BIN="$1"; HOST="$2"; PORT="$3"
mkdir -p var/broker/queue var/broker/processed
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
"$BIN/celery" -A bcbt worker --loglevel=WARNING --concurrency=1 --pool=solo > var/worker.log 2>&1 &
pids+=($!)
"$BIN/celery" -A bcbt beat --loglevel=WARNING --schedule=var/celerybeat-schedule > var/beat.log 2>&1 &
pids+=($!)
"$BIN/python" manage.py runserver "$HOST:$PORT" --noreload
