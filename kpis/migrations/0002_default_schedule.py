from django.db import migrations

from common.schedules import ensure_interval_task


def create_schedule(apps, schema_editor):
    ensure_interval_task(apps, name="Recompute KPIs", task="kpis.recompute_all", minutes=5)


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, migrations.RunPython.noop)]
