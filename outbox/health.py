from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

# Heartbeats are sent every minute; older than this, the worker or beat is taken for gone.
HEARTBEAT_MAX_AGE = timedelta(minutes=3)
BROKER_TIMEOUT_SECONDS = 1


@require_GET
def healthz(request):
    """Liveness and database reachability, for container health checks and load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def readyz(request):
    """Readiness as JSON: database, broker, the worker's heartbeat, beat's last tick; 503 if not ready."""
    now = timezone.now()
    checks = {"database": _database_check(), "broker": _broker_check()}
    checks["worker"] = _age_check(_worker_heartbeat(), now=now)
    checks["beat"] = _age_check(_beat_tick(), now=now)
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


def _database_check() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - reported, not raised
        return {"ok": False, "error": str(error)}
    return {"ok": True}


def _broker_check() -> dict:
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(
                url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            from config.celery import app

            with app.connection_for_write() as broker:
                broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 - reported, not raised
        return {"ok": False, "error": str(error)}
    return {"ok": True}


def _worker_heartbeat():
    from outbox.models import Heartbeat

    try:
        return Heartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
    except Exception:  # noqa: BLE001 - the database check reports it
        return None


def _beat_tick():
    from django_celery_beat.models import PeriodicTask

    try:
        return (
            PeriodicTask.objects.filter(task="common.heartbeat").values_list("last_run_at", flat=True).first()
        )
    except Exception:  # noqa: BLE001 - the database check reports it
        return None


def _age_check(at, *, now) -> dict:
    if at is None:
        return {"ok": False, "last": None, "age_seconds": None}
    age = (now - at).total_seconds()
    return {"ok": age <= HEARTBEAT_MAX_AGE.total_seconds(), "last": at.isoformat(), "age_seconds": round(age)}
