"""Business reviews: the agenda from the data since the last review, action items that carry over, a
fixed number of queries whatever the size, and the exports."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from comments import services as comment_services
from insights import services
from insights.choices import ReviewState
from insights.models import ActionItem
from kpis import services as kpi_services
from kpis.choices import Cadence, GuardrailComparison, KpiStatus, MeasurementSource
from kpis.models import KpiValue
from okrs import services as okr_services
from okrs.choices import Status
from tests.accounts.factories import TeamFactory
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)


def measure(kpi, moment, value):
    kpi_services.measurements_ingest(
        organization=kpi.organization,
        rows=[{"kpi": kpi.code, "timestamp": moment.isoformat(), "value": str(value)}],
        source=MeasurementSource.API,
    )


@pytest.fixture
def scene(admin_a):
    """An active cycle with a quiet key result, a KPI that turned red, and a breached guardrail."""
    org = admin_a.organization
    cycle = CycleFactory(organization=org, start=date(2026, 10, 1), end=date(2026, 12, 31))
    objective = ObjectiveFactory(cycle=cycle, title="Win more deals")
    with time_machine.travel(datetime(2026, 10, 2, tzinfo=UTC), tick=False):
        quiet = KeyResultFactory(objective=objective, title="Quiet key result")
        busy = KeyResultFactory(objective=objective, title="Busy key result")
    win_rate = KpiFactory(
        organization=org, code="win_rate", name="Win rate", cadence=Cadence.MONTHLY, target=Decimal(20),
        critical_threshold=Decimal(15),
    )  # fmt: skip
    measure(win_rate, datetime(2026, 10, 10, tzinfo=UTC), 25)
    measure(win_rate, datetime(2026, 11, 10, tzinfo=UTC), 10)
    with time_machine.travel(NOW, tick=False):
        kpi_services.kpi_recompute(organization_id=org.pk)
        okr_services.check_in_create(key_result=busy, value=Decimal(40), confidence=6)
        kpi_services.guardrail_create(
            key_result=busy, kpi=win_rate, comparison=GuardrailComparison.AT_LEAST, limit=Decimal(18)
        )
        comment_services.comment_create(
            author=admin_a.user, body="Pipeline review on Thursday", objective=objective
        )
    return {"org": org, "quiet": quiet, "busy": busy, "win_rate": win_rate, "objective": objective}


def test_the_agenda_holds_what_changed_since_the_last_review(scene, admin_a):
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        review = services.review_create(organization=scene["org"], user=admin_a.user)
    agenda = review.agenda
    assert agenda["kpi_changes"] == [
        {"id": scene["win_rate"].pk, "name": "Win rate", "from": KpiStatus.GREEN, "to": KpiStatus.RED}
    ]
    quiet = next(row for row in agenda["key_results"] if row["id"] == scene["quiet"].pk)
    assert quiet["no_recent_check_in"] and quiet["status"] == Status.NOT_STARTED
    assert scene["busy"].pk not in [row["id"] for row in agenda["key_results"] if row["no_recent_check_in"]]
    assert [row["key_result_id"] for row in agenda["guardrails"]] == [scene["busy"].pk]
    assert agenda["comments"][0]["body"] == "Pipeline review on Thursday"
    assert review.covers_from == NOW + timedelta(minutes=5) - timedelta(days=7)


def test_the_next_review_compares_kpi_statuses_with_the_previous_review(scene, admin_a):
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        first = services.review_create(organization=scene["org"], user=admin_a.user)
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        second = services.review_create(organization=scene["org"], user=admin_a.user)
    assert second.covers_from == first.created_at
    assert second.agenda["kpi_changes"] == []  # still red, as at the last review
    KpiValue.objects.filter(kpi=scene["win_rate"]).update(status=KpiStatus.GREEN)
    with time_machine.travel(NOW + timedelta(days=14), tick=False):
        third = services.review_create(organization=scene["org"], user=admin_a.user)
    assert third.agenda["kpi_changes"][0]["from"] == KpiStatus.RED


def test_open_action_items_carry_over_until_done(scene, admin_a, client):
    with time_machine.travel(NOW, tick=False):
        first = services.review_create(organization=scene["org"], user=admin_a.user)
        open_item = services.action_item_create(
            review=first, title="Call the top 5 accounts", owner=admin_a.user
        )
        done_item = services.action_item_create(review=first, title="Fix the CRM stage names", done=True)
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        second = services.review_create(organization=scene["org"], user=admin_a.user)
    client.force_login(admin_a.user)
    page = client.get(second.get_absolute_url()).content.decode()
    assert "Call the top 5 accounts" in page and "carried over from" in page
    assert "Fix the CRM stage names" not in page
    services.action_item_update(item=open_item, done=True)
    with time_machine.travel(NOW + timedelta(days=14), tick=False):
        third = services.review_create(organization=scene["org"], user=admin_a.user)
    assert "Call the top 5 accounts" not in client.get(third.get_absolute_url()).content.decode()
    assert ActionItem.objects.get(pk=done_item.pk).done_at is not None


def test_a_closed_review_keeps_its_agenda_and_notes(scene, admin_a):
    review = services.review_create(organization=scene["org"], user=admin_a.user)
    services.review_update(review=review, notes="Discount creeping up", decisions="Cap discounts at 15 %")
    services.review_close(review=review)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.review_update(review=review, notes="changed")
    with pytest.raises(ValidationError):
        services.review_prepare(review=review)
    review.refresh_from_db()
    assert (review.state, review.notes) == (ReviewState.CLOSED, "Discount creeping up")


def test_a_team_review_covers_the_teams_objectives_and_kpis_only(scene, admin_a):
    team = TeamFactory(organization=scene["org"])
    review = services.review_create(organization=scene["org"], user=admin_a.user, team=team)
    assert review.agenda["key_results"] == [] and review.agenda["kpi_changes"] == []


def _grow(org, count):
    cycle = org.cycles.first()
    for index in range(count):
        objective = ObjectiveFactory(cycle=cycle, title=f"Objective {index}")
        KeyResultFactory(objective=objective)
        kpi = KpiFactory(organization=org, code=f"extra_{index}", cadence=Cadence.MONTHLY)
        measure(kpi, datetime(2026, 11, 3, tzinfo=UTC), index)


def test_the_review_page_runs_the_same_queries_at_two_sizes(scene, admin_a, client):
    client.force_login(admin_a.user)
    counts = []
    for extra in (0, 6):
        _grow(scene["org"], extra)
        kpi_services.kpi_recompute(organization_id=scene["org"].pk)
        review = services.review_create(organization=scene["org"], user=admin_a.user)
        services.action_item_create(review=review, title="Follow up", owner=admin_a.user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(review.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_review_exports_as_excel_and_csv(scene, admin_a, client):
    review = services.review_create(organization=scene["org"], user=admin_a.user)
    services.review_update(review=review, notes='=HYPERLINK("http://evil")', decisions="Cap discounts")
    services.action_item_create(review=review, title="Call the top 5 accounts", owner=admin_a.user)
    client.force_login(admin_a.user)
    response = client.get(reverse("insights:review-export", args=[review.pk, "xlsx"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert "Action items" in workbook.sheetnames and "KPI status changes" in workbook.sheetnames
    summary = workbook["Review"]
    assert summary["E2"].value == '\'=HYPERLINK("http://evil")'  # never a formula
    assert summary["E2"].data_type == "s"
    assert workbook["Action items"]["A2"].value == "Call the top 5 accounts"
    assert workbook["KPI status changes"]["A2"].value == "Win rate"
    response = client.get(reverse("insights:review-export", args=[review.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert ["Action items", "Call the top 5 accounts"] == rows[-1][:2]
    assert any(row[0] == "Guardrails breached" for row in rows)


def test_the_scorecard_exports_as_excel_with_forecast_and_data_quality(scene, admin_a, client):
    client.force_login(admin_a.user)
    response = client.get(reverse("portability:kpi-scorecard-xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["KPIs"]
    header = [cell.value for cell in sheet[1]]
    assert "Data quality" in header and "Forecast" in header
    row = [cell.value for cell in sheet[2]]
    assert row[header.index("Code")] == "win_rate"
    assert row[header.index("Latest")] == 10


def test_another_organizations_review_is_not_found(scene, member_b, client):
    review = services.review_create(organization=scene["org"])
    client.force_login(member_b.user)
    assert client.get(review.get_absolute_url()).status_code == 404
    assert client.get(reverse("insights:review-export", args=[review.pk, "xlsx"])).status_code == 404
