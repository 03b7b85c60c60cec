#!/bin/sh
# Starts the web server and a Celery worker with embedded beat; Ctrl-C stops both.
set -eu
: "${HOST:=127.0.0.1}" "${PORT:=8000}" "${BIN:=.venv/bin}"

cleanup() {
    trap - INT TERM EXIT
    echo
    echo "Stopping Rumbo…"
    kill "$WEB_PID" "$WORKER_PID" 2>/dev/null || true
    wait "$WEB_PID" "$WORKER_PID" 2>/dev/null || true
}

"$BIN/celery" -A config worker --beat --loglevel INFO --concurrency 2 \
    --scheduler django_celery_beat.schedulers:DatabaseScheduler &
WORKER_PID=$!
"$BIN/python" manage.py runserver "$HOST:$PORT" --noreload &
WEB_PID=$!
trap cleanup INT TERM EXIT

sleep 2
cat <<MSG

  Rumbo is running at http://$HOST:$PORT/
  Log in as demo-admin, demo-editor or demo-viewer, password: ${DEMO_PASSWORD:-see load_demo output}
  Admin site: http://$HOST:$PORT/admin/ (demo-admin)   API docs: http://$HOST:$PORT/api/v1/docs/
  Press Ctrl-C to stop the web server and the Celery worker.

MSG
# Either process ending stops the other.
while kill -0 "$WEB_PID" 2>/dev/null && kill -0 "$WORKER_PID" 2>/dev/null; do sleep 1; done
