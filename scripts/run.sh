#!/bin/sh
# Starts the web server and a supervised Celery worker with embedded beat; Ctrl-C stops both.
# A worker that exits (a broker outage it did not survive, a crash) is started again after a short,
# growing pause (1 s up to 30 s); the web server keeps answering meanwhile.
set -eu
: "${HOST:=127.0.0.1}" "${PORT:=8000}" "${BIN:=.venv/bin}"

STOPPING=0
SUPERVISOR_PID=""
WEB_PID=""

cleanup() {
    trap - INT TERM EXIT
    STOPPING=1
    echo
    echo "Stopping Rumbo…"
    # The supervisor stops its current worker when it is told to stop.
    [ -n "$SUPERVISOR_PID" ] && kill "$SUPERVISOR_PID" 2>/dev/null || true
    [ -n "$WEB_PID" ] && kill "$WEB_PID" 2>/dev/null || true
    wait 2>/dev/null || true
}

supervise_worker() {
    delay=1
    worker=""
    trap '[ -n "$worker" ] && kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null; exit 0' INT TERM
    while :; do
        started=$(date +%s)
        "$BIN/celery" -A config worker --beat --loglevel INFO --concurrency 2 \
            --scheduler django_celery_beat.schedulers:DatabaseScheduler &
        worker=$!
        status=0
        wait "$worker" || status=$?
        worker=""
        # A worker that ran for a while starts again at once; one that keeps failing waits longer.
        if [ $(( $(date +%s) - started )) -ge 60 ]; then delay=1; fi
        echo "The Celery worker exited (status $status); starting it again in ${delay}s." >&2
        sleep "$delay" & wait $! || true
        delay=$(( delay * 2 )); [ "$delay" -gt 30 ] && delay=30
    done
}

supervise_worker &
SUPERVISOR_PID=$!
"$BIN/python" manage.py runserver "$HOST:$PORT" --noreload &
WEB_PID=$!
trap cleanup INT TERM EXIT

sleep 2
cat <<MSG

  Rumbo is running at http://$HOST:$PORT/
  Log in as demo-admin, demo-editor or demo-viewer, password: ${DEMO_PASSWORD:-see load_demo output}
  Admin site: http://$HOST:$PORT/admin/ (demo-admin)   API docs: http://$HOST:$PORT/api/v1/docs/
  Readiness (database, broker, worker and beat heartbeats): http://$HOST:$PORT/readyz
  Press Ctrl-C to stop the web server and the Celery worker.

MSG
# The web server ending stops everything; a worker ending is restarted by its supervisor.
while kill -0 "$WEB_PID" 2>/dev/null && kill -0 "$SUPERVISOR_PID" 2>/dev/null; do sleep 1; done
