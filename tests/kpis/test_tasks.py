import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError

from common.locks import held_lock
from kpis import tasks
from kpis.catalog import CATALOG
from kpis.choices import MeasurementSource
from kpis.models import Kpi, KpiRun, Measurement
from kpis.services import kpi_update, measurements_import_csv, measurements_ingest

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


# Recomputation within seconds of new measurements ---------------------------------------------------


@pytest.fixture
def enqueued(monkeypatch):
    """The refresh tasks sent to the broker, as (args, options); nothing is really sent."""
    sent = []
    monkeypatch.setattr(
        tasks.kpi_refresh_task, "apply_async", lambda args, **options: sent.append((args, options))
    )
    cache.clear()
    yield sent
    cache.clear()


def post(client, code: str, value: int):
    return client.post(
        "/api/v1/measurements/",
        [{"kpi": code, "timestamp": "2026-11-02T10:00:00Z", "value": value}],
        format="json",
    )


def test_a_burst_of_batches_enqueues_one_run(
    api_client, admin_a, deals, enqueued, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(admin_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        for value in range(10):
            assert post(api_client, "deals_won", value).status_code == 201
    assert enqueued == [
        (
            [admin_a.organization.pk],
            {"countdown": 2, "expires": 300, "retry_policy": tasks.PUBLISH_RETRY_POLICY},
        )
    ]
    # The run starts: a batch that commits from then on schedules the next run.
    tasks.kpi_refresh_task.run(admin_a.organization.pk)
    with django_capture_on_commit_callbacks(execute=True):
        post(api_client, "deals_won", 11)
        post(api_client, "deals_won", 12)
    assert len(enqueued) == 2


def test_nothing_is_enqueued_before_the_transaction_commits(
    org_a, deals, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        measurements_ingest(
            organization=org_a,
            rows=[{"kpi": "deals_won", "timestamp": "2026-11-02T10:00:00Z", "value": "2"}],
            source=MeasurementSource.API,
        )
    assert len(callbacks) == 1 and enqueued == []  # still inside the (test's) transaction
    callbacks[0]()
    assert len(enqueued) == 1


def test_a_replayed_batch_enqueues_nothing(org_a, deals, enqueued, django_capture_on_commit_callbacks):
    rows = [{"kpi": "deals_won", "timestamp": "2026-11-02T10:00:00Z", "value": "2", "idempotency_key": "a"}]
    with django_capture_on_commit_callbacks(execute=True):
        measurements_ingest(organization=org_a, rows=rows, source=MeasurementSource.API)
    tasks.kpi_refresh_task.run(org_a.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        measurements_ingest(organization=org_a, rows=rows, source=MeasurementSource.API)
    assert callbacks == [] and len(enqueued) == 1


def test_the_csv_import_schedules_a_run_too(org_a, deals, enqueued, django_capture_on_commit_callbacks):
    content = io.BytesIO(b"kpi,timestamp,value\ndeals_won,2026-11-02T10:00:00Z,3\n")
    with django_capture_on_commit_callbacks(execute=True):
        measurements_import_csv(organization=org_a, file=content, source=MeasurementSource.CSV)
    assert [args for args, _ in enqueued] == [[org_a.pk]]


def test_a_broker_that_is_down_leaves_the_answer_a_success(
    api_client, admin_a, deals, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    attempts = []

    def down(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.kpi_refresh_task, "apply_async", down)
    cache.clear()
    api_client.force_authenticate(admin_a.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api_client, "deals_won", 3)
    assert response.status_code == 201
    assert Measurement.objects.filter(kpi=deals["won"]).count() == 1
    assert "the periodic run will do it" in caplog.text
    with django_capture_on_commit_callbacks(execute=True):
        post(api_client, "deals_won", 4)
    assert len(attempts) == 2  # no marker left behind: the next batch tries again


def test_a_refresh_is_put_off_while_another_run_holds_the_lock(org_a, deals, enqueued):
    with held_lock("kpis.recompute", org_a.pk):
        assert tasks.kpi_refresh_task.run(org_a.pk) == {"deferred": True}
    assert [args for args, _ in enqueued] == [[org_a.pk]]
    assert not KpiRun.objects.exists()
    assert tasks.kpi_refresh_task.run(org_a.pk)["state"] == "succeeded"


def test_refresh_task_is_a_no_op_for_a_missing_organization(enqueued):
    assert tasks.kpi_refresh_task.run(987654) == {"skipped": True}


def test_refresh_task_reliability_settings():
    assert tasks.kpi_refresh_task.name == "kpis.refresh"
    assert tasks.kpi_refresh_task.acks_late is True
    assert tasks.kpi_refresh_task.reject_on_worker_lost is True


def test_a_changed_kpi_definition_schedules_a_run_after_the_commit(
    org_a, deals, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        kpi_update(kpi=deals["won"], target=Decimal(40))
    assert enqueued == []  # nothing while the transaction is open
    for callback in callbacks:
        callback()
    assert [args for args, _ in enqueued] == [[org_a.pk]]
