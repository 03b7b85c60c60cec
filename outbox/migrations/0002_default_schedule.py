from django.db import migrations

from common.schedules import ensure_interval_task


def create_schedule(apps, schema_editor):
    ensure_interval_task(apps, name="Send pending outbox messages", task="outbox.sweep", minutes=1)
    ensure_interval_task(apps, name="Worker heartbeat", task="common.heartbeat", minutes=1)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, migrations.RunPython.noop)]
