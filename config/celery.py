"""The Celery application: settings under CELERY_* in Django's settings, tasks found in every app."""

import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("rumbo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@worker_ready.connect
def _worker_started(sender=None, **kwargs):
    """A starting worker reports alive at once and drains what the outbox kept while it was away."""
    from outbox.tasks import heartbeat_task, outbox_sweep_task

    try:
        heartbeat_task.apply_async(retry=False)
        outbox_sweep_task.apply_async(retry=False)
    except Exception:  # noqa: BLE001 - the periodic runs do the same a minute later
        logger.warning("Could not queue the start-up heartbeat and outbox sweep.", exc_info=True)
