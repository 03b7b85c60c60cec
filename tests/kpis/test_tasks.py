import io
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from kpis import tasks
from kpis.catalog import CATALOG
from kpis.choices import MeasurementSource
from kpis.models import Kpi, KpiRun
from kpis.services import measurements_ingest

pytestmark = pytest.mark.django_db


def test_default_schedule_runs_every_five_minutes():
    task = PeriodicTask.objects.get(task="kpis.recompute_all")
    assert (task.interval.every, task.interval.period, task.expire_seconds) == (5, "minutes", 300)


def test_task_is_a_no_op_for_a_missing_organization():
    assert tasks.kpi_recompute_task(organization_id=987654) == {"skipped": True}
    assert not KpiRun.objects.exists()


def test_task_twice_changes_nothing_the_second_time(org_a, deals):
    measurements_ingest(
        organization=org_a,
        rows=[{"kpi": "deals_won", "timestamp": "2026-01-05T10:00:00Z", "value": "2"}],
        source=MeasurementSource.API,
        now=datetime(2026, 2, 1, tzinfo=UTC),
    )
    first = tasks.kpi_recompute_task(organization_id=org_a.pk)
    second = tasks.kpi_recompute_task(organization_id=org_a.pk)
    assert first["periods"] >= 1
    assert second == {"state": "succeeded", "kpis": 0, "periods": 0}


def test_load_kpi_catalog_is_idempotent(org_a):
    call_command("load_kpi_catalog", org_a.slug)
    call_command("load_kpi_catalog", org_a.slug)
    assert Kpi.objects.filter(organization=org_a).count() == len(CATALOG)
    win_rate = Kpi.objects.get(organization=org_a, code="win_rate")
    assert win_rate.formula == "100 * deals_won / deals_closed"


def test_recompute_kpis_command_reports_each_run(org_a, deals):
    out = io.StringIO()
    call_command("recompute_kpis", organization=org_a.slug, full=True, stdout=out, stderr=io.StringIO())
    assert f"{org_a.slug}: succeeded, 3 KPIs" in out.getvalue()
    with pytest.raises(CommandError, match="No organization"):
        call_command("recompute_kpis", organization="nope", stderr=io.StringIO())
