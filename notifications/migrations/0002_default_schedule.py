from django.db import migrations
from django.utils import timezone

from common.schedules import ensure_interval_task


def create_schedule(apps, schema_editor):
    ensure_interval_task(apps, name="Send pending notifications", task="notifications.sweep", minutes=5)
    # On the hour, every hour: people choose their digest hour in their own time zone.
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    name = "Send weekly check-in digests"
    if PeriodicTask.objects.filter(name=name).exists():
        return
    hourly, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.create(name=name, task="notifications.digests", crontab=hourly, expire_seconds=3600)
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, migrations.RunPython.noop)]
