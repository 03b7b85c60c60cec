"""/api/v1/guardrails/, /data-quality/, /initiatives/, /reviews/ and /action-items/, and the forecast,
guardrail and data-quality figures of key results and KPIs: success, validation, auth and tenancy."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from insights import services
from insights.models import ActionItem, BusinessReview, Initiative
from kpis import services as kpi_services
from kpis.choices import Cadence, MeasurementSource
from kpis.models import Guardrail
from okrs import services as okr_services
from tests.api.conftest import bearer
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def world(editor_a):
    org = editor_a.organization
    cycle = CycleFactory(organization=org, start=date(2026, 10, 1), end=date(2026, 12, 31))
    with time_machine.travel(datetime(2026, 10, 1, 8, tzinfo=UTC), tick=False):
        key_result = KeyResultFactory(objective=ObjectiveFactory(cycle=cycle), owner=editor_a.user)
    discount = KpiFactory(
        organization=org, code="average_discount", name="Average discount", cadence=Cadence.MONTHLY
    )
    kpi_services.measurements_ingest(
        organization=org,
        rows=[{"kpi": "average_discount", "timestamp": "2026-11-10T12:00:00Z", "value": "18"}],
        source=MeasurementSource.API,
    )
    with time_machine.travel(NOW, tick=False):
        kpi_services.kpi_recompute(organization_id=org.pk)
    return {"org": org, "key_result": key_result, "discount": discount}


def test_guardrails_are_created_evaluated_and_shown_on_the_key_result(api, world, editor_a):
    headers = bearer(editor_a.user)
    body = {
        "key_result": world["key_result"].pk,
        "kpi": world["discount"].pk,
        "comparison": "at_most",
        "limit": "15",
    }
    response = api.post("/api/v1/guardrails/", body, format="json", **headers)
    assert response.status_code == 201, response.json()
    assert response.json()["breached"] is True and Decimal(response.json()["value"]) == 18
    key_result = api.get(f"/api/v1/key-results/{world['key_result'].pk}/", **headers).json()
    assert key_result["guardrail_breached"] is True
    assert key_result["guardrails"][0]["kpi"] == world["discount"].pk
    objective = api.get(f"/api/v1/objectives/{world['key_result'].objective_id}/", **headers).json()
    assert objective["guardrail_breached"] is True
    guardrail_id = response.json()["id"]
    changed = api.patch(f"/api/v1/guardrails/{guardrail_id}/", {"limit": "20"}, format="json", **headers)
    assert changed.status_code == 200 and changed.json()["breached"] is False
    assert api.delete(f"/api/v1/guardrails/{guardrail_id}/", **headers).status_code == 204
    assert not Guardrail.objects.exists()


def test_guardrail_validation_names_the_field(api, world, editor_a, member_b):
    headers = bearer(editor_a.user)
    foreign = KpiFactory(organization=member_b.organization)
    body = {"key_result": world["key_result"].pk, "kpi": foreign.pk, "limit": "15"}
    response = api.post("/api/v1/guardrails/", body, format="json", **headers)
    assert response.status_code == 400 and "kpi" in response.json()["fields"]
    body = {"key_result": world["key_result"].pk, "kpi": world["discount"].pk, "limit": "lots"}
    response = api.post("/api/v1/guardrails/", body, format="json", **headers)
    assert response.status_code == 400 and "limit" in response.json()["fields"]
    response = api.post(
        "/api/v1/guardrails/", {**body, "limit": "15", "breached": True}, format="json", **headers
    )
    assert response.status_code == 400 and "breached" in response.json()["fields"]
    assert not Guardrail.objects.exists()


def test_guardrails_need_a_token_an_editor_and_the_same_organization(api, world, viewer_a, member_b):
    guardrail = kpi_services.guardrail_create(
        key_result=world["key_result"], kpi=world["discount"], limit=Decimal(15)
    )
    assert api.get("/api/v1/guardrails/").status_code == 401
    body = {"key_result": world["key_result"].pk, "kpi": world["discount"].pk, "limit": "15"}
    assert api.post("/api/v1/guardrails/", body, format="json", **bearer(viewer_a.user)).status_code == 403
    assert api.get(f"/api/v1/guardrails/{guardrail.pk}/", **bearer(member_b.user)).status_code == 404


def test_key_results_and_kpis_carry_their_forecast(api, world, editor_a):
    key_result = world["key_result"]
    for day, value in [(10, 10), (20, 21), (30, 29)]:
        moment = datetime(2026, 10, 1 + day, 12, tzinfo=UTC)
        with time_machine.travel(moment, tick=False):
            okr_services.check_in_create(
                key_result=key_result, value=Decimal(value), confidence=5, checked_in_at=moment
            )
    headers = bearer(editor_a.user)
    forecast = api.get(f"/api/v1/key-results/{key_result.pk}/", **headers).json()["forecast"]
    assert forecast["date"] == "2026-12-31"
    assert Decimal(forecast["low"]) <= Decimal(forecast["value"]) <= Decimal(forecast["high"])
    assert 0 <= Decimal(forecast["probability"]) <= 1
    kpi = api.get(f"/api/v1/kpis/{world['discount'].pk}/", **headers).json()
    assert kpi["forecast"] is None  # one period only
    assert kpi["quality"]["score"] is not None and kpi["quality"]["issues"][0]["kind"] == "in_progress"
    refused = api.patch(f"/api/v1/kpis/{world['discount'].pk}/", {"forecast": None}, format="json", **headers)
    assert refused.status_code == 400 and "forecast" in refused.json()["fields"]


def test_data_quality_lists_kpis_worst_first_with_the_organization_score(api, world, editor_a, member_b):
    KpiFactory(organization=world["org"], code="leads", cadence=Cadence.DAILY)
    with time_machine.travel(NOW, tick=False):
        kpi_services.kpi_recompute(organization_id=world["org"].pk, full=True)
    headers = bearer(editor_a.user)
    rows = api.get("/api/v1/data-quality/", **headers).json()
    assert [row["code"] for row in rows] == ["average_discount", "leads"] or rows[0]["score"] <= rows[1][
        "score"
    ]
    summary = api.get("/api/v1/data-quality/summary/", **headers).json()
    assert summary["kpis"] == 2 and summary["score"] is not None
    assert api.get("/api/v1/data-quality/").status_code == 401
    assert api.get("/api/v1/data-quality/", **bearer(member_b.user)).json() == []


def test_initiatives_are_created_listed_changed_and_deleted(api, world, editor_a):
    headers = bearer(editor_a.user)
    body = {
        "title": "Discount desk",
        "owner": editor_a.user.pk,
        "start": "2026-11-01",
        "end": "2026-11-30",
        "kpis": [world["discount"].pk],
        "key_results": [world["key_result"].pk],
    }
    with time_machine.travel(NOW, tick=False):
        response = api.post("/api/v1/initiatives/", body, format="json", **headers)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["impacts"][0]["kpi"] == world["discount"].pk
    assert [i["id"] for i in api.get("/api/v1/initiatives/", **headers).json()["results"]] == [created["id"]]
    patched = api.patch(
        f"/api/v1/initiatives/{created['id']}/", {"title": "Deal desk"}, format="json", **headers
    )
    assert patched.status_code == 200 and patched.json()["title"] == "Deal desk"
    assert api.delete(f"/api/v1/initiatives/{created['id']}/", **headers).status_code == 204
    assert not Initiative.objects.exists()


def test_initiative_validation_auth_and_tenancy(api, world, editor_a, viewer_a, member_b):
    headers = bearer(editor_a.user)
    body = {"title": "Backwards", "start": "2026-11-30", "end": "2026-11-01"}
    response = api.post("/api/v1/initiatives/", body, format="json", **headers)
    assert response.status_code == 400 and "end" in response.json()["fields"]
    response = api.post("/api/v1/initiatives/", {**body, "impacts": []}, format="json", **headers)
    assert response.status_code == 400 and "impacts" in response.json()["fields"]
    assert api.post("/api/v1/initiatives/", body, format="json").status_code == 401
    assert api.post("/api/v1/initiatives/", body, format="json", **bearer(viewer_a.user)).status_code == 403
    initiative = services.initiative_create(
        organization=world["org"], title="Ours", start=date(2026, 11, 1), end=date(2026, 11, 30)
    )
    assert api.get(f"/api/v1/initiatives/{initiative.pk}/", **bearer(member_b.user)).status_code == 404
    foreign_kpi = KpiFactory(organization=member_b.organization)
    body = {"title": "Theirs", "start": "2026-11-01", "end": "2026-11-30", "kpis": [foreign_kpi.pk]}
    response = api.post("/api/v1/initiatives/", body, format="json", **headers)
    assert response.status_code == 400 and "kpis" in response.json()["fields"]


def test_reviews_and_action_items_through_the_api(api, world, editor_a):
    headers = bearer(editor_a.user)
    with time_machine.travel(NOW, tick=False):
        response = api.post(
            "/api/v1/reviews/", {"cadence": "monthly", "notes": "First one"}, format="json", **headers
        )
    assert response.status_code == 201, response.json()
    review = response.json()
    assert review["state"] == "open" and review["notes"] == "First one"
    assert set(review["agenda"]) >= {
        "kpi_changes",
        "key_results",
        "movers",
        "guardrails",
        "quality",
        "comments",
    }
    item = api.post(
        "/api/v1/action-items/",
        {
            "review": review["id"],
            "title": "Audit discounts",
            "owner": editor_a.user.pk,
            "kpi": world["discount"].pk,
        },
        format="json",
        **headers,
    )
    assert item.status_code == 201, item.json()
    done = api.patch(f"/api/v1/action-items/{item.json()['id']}/", {"done": True}, format="json", **headers)
    assert done.status_code == 200 and done.json()["done"] is True and done.json()["done_at"]
    notes = api.patch(
        f"/api/v1/reviews/{review['id']}/", {"decisions": "Cap at 15 %"}, format="json", **headers
    )
    assert notes.status_code == 200 and notes.json()["decisions"] == "Cap at 15 %"
    assert api.post(f"/api/v1/reviews/{review['id']}/prepare/", **headers).status_code == 200
    closed = api.post(f"/api/v1/reviews/{review['id']}/close/", **headers)
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    refused = api.patch(f"/api/v1/reviews/{review['id']}/", {"notes": "late"}, format="json", **headers)
    assert refused.status_code == 400


def test_review_validation_auth_and_tenancy(api, world, editor_a, viewer_a, member_b):
    headers = bearer(editor_a.user)
    response = api.post("/api/v1/reviews/", {"cadence": "daily"}, format="json", **headers)
    assert response.status_code == 400 and "cadence" in response.json()["fields"]
    response = api.post("/api/v1/reviews/", {"agenda": {}}, format="json", **headers)
    assert response.status_code == 400 and "agenda" in response.json()["fields"]
    assert api.get("/api/v1/reviews/").status_code == 401
    assert api.post("/api/v1/reviews/", {}, format="json", **bearer(viewer_a.user)).status_code == 403
    review = services.review_create(organization=world["org"])
    assert api.get(f"/api/v1/reviews/{review.pk}/", **bearer(member_b.user)).status_code == 404
    body = {"review": review.pk, "title": "Theirs"}
    response = api.post("/api/v1/action-items/", body, format="json", **bearer(member_b.user))
    assert response.status_code == 400 and "review" in response.json()["fields"]
    missing = api.post("/api/v1/action-items/", {"review": review.pk}, format="json", **headers)
    assert missing.status_code == 400 and "title" in missing.json()["fields"]
    assert BusinessReview.objects.count() == 1 and not ActionItem.objects.exists()
