"""Period values say whether their period is in progress, what they were compared with, and whether
they are on target. Every KPI is marked for recomputation so that the next run fills the new fields."""

from django.db import migrations, models
from django.utils import timezone


def recompute_every_kpi(apps, schema_editor):
    apps.get_model("kpis", "Kpi").objects.update(recompute_requested_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0003_measurement_covering_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="kpivalue",
            name="compared_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="compared until"),
        ),
        migrations.AddField(
            model_name="kpivalue",
            name="in_progress",
            field=models.BooleanField(default=False, verbose_name="in progress"),
        ),
        migrations.AddField(
            model_name="kpivalue",
            name="on_target",
            field=models.BooleanField(blank=True, null=True, verbose_name="on or better than target"),
        ),
        migrations.AddField(
            model_name="kpivalue",
            name="previous_period_start",
            field=models.DateField(blank=True, null=True, verbose_name="previous period start"),
        ),
        migrations.AddIndex(
            model_name="kpivalue",
            index=models.Index(
                condition=models.Q(("in_progress", True)), fields=["kpi"], name="kpi_value_in_progress"
            ),
        ),
        migrations.RunPython(recompute_every_kpi, migrations.RunPython.noop),
    ]
