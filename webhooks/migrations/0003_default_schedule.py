from django.db import migrations

from common.schedules import ensure_interval_task


def create_schedule(apps, schema_editor):
    ensure_interval_task(apps, name="Re-queue stranded webhook deliveries", task="webhooks.sweep", minutes=5)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0002_delivery_event_id"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, migrations.RunPython.noop)]
