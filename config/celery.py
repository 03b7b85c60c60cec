"""The Celery application: settings under CELERY_* in Django's settings, tasks found in every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("rumbo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
