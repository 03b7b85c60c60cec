"""Default periodic tasks, created once by a data migration; afterwards they are edited in the admin."""

from django.utils import timezone


def ensure_interval_task(apps, *, name: str, task: str, minutes: int) -> None:
    """Create the periodic task if missing; never overwrite what an admin changed.

    `expire_seconds` equals the interval, so a run that could not start in time is dropped
    rather than piled up behind the next one.
    """
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.filter(name=name).exists():
        return
    interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
    PeriodicTask.objects.create(name=name, task=task, interval=interval, expire_seconds=minutes * 60)
    # The scheduler reloads its schedule when this timestamp moves.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})
