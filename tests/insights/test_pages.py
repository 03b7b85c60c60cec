"""The insight pages and list endpoints: a fixed number of queries whatever the size, roles and tenancy."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from insights import services
from kpis import services as kpi_services
from kpis.choices import Cadence, MeasurementSource
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def grow(org, user, size):
    """`size` more KPIs with a month of values, key results with a guardrail, initiatives and reviews."""
    cycle = org.cycles.first() or CycleFactory(organization=org)
    start = org.kpis.count()
    rows = []
    for index in range(start, start + size):
        kpi = KpiFactory(organization=org, code=f"k{index}", cadence=Cadence.DAILY)
        rows += [
            {"kpi": kpi.code, "timestamp": f"2026-11-{day:02d}T12:00:00Z", "value": str(day)}
            for day in range(1, 9)
        ]
        key_result = KeyResultFactory(objective=ObjectiveFactory(cycle=cycle))
        kpi_services.guardrail_create(key_result=key_result, kpi=kpi, limit=Decimal(5))
        services.initiative_create(
            organization=org, title=f"Initiative {index}", owner=user, start=date(2026, 11, 4),
            end=date(2026, 11, 30), kpis=[kpi], key_results=[key_result],
        )  # fmt: skip
        review = services.review_create(organization=org, user=user)
        services.action_item_create(review=review, title=f"Action {index}", owner=user, kpi=kpi)
    kpi_services.measurements_ingest(organization=org, rows=rows, source=MeasurementSource.API)
    kpi_services.kpi_recompute(organization_id=org.pk)


def count(get, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_pages_run_the_same_queries_at_two_sizes(client, admin_a):
    client.force_login(admin_a.user)
    org = admin_a.organization
    sizes = []
    for size in (1, 5):
        grow(org, admin_a.user, size)
        initiative = org.initiatives.order_by("pk").first()
        urls = [
            reverse("insights:data-quality"),
            reverse("insights:initiative-list"),
            reverse("insights:initiative-detail", args=[initiative.pk]),
            reverse("insights:initiative-update", args=[initiative.pk]),
            reverse("insights:review-list"),
        ]
        sizes.append([count(client.get, url) for url in urls])
    assert sizes[0] == sizes[1]


def test_the_list_endpoints_run_the_same_queries_at_two_sizes(client, admin_a):
    org = admin_a.organization
    client.force_login(admin_a.user)  # a session: a token would also record its use now and then
    endpoints = [
        "guardrails",
        "data-quality",
        "initiatives",
        "reviews",
        "action-items",
        "kpis",
        "key-results",
    ]
    sizes = []
    for size in (1, 5):
        grow(org, admin_a.user, size)
        sizes.append([count(client.get, f"/api/v1/{name}/") for name in endpoints])
    assert sizes[0] == sizes[1]


def test_viewers_read_but_cannot_create_or_change(client, admin_a, viewer_a):
    grow(admin_a.organization, admin_a.user, 1)
    initiative = admin_a.organization.initiatives.first()
    review = admin_a.organization.business_reviews.first()
    client.force_login(viewer_a.user)
    assert client.get(reverse("insights:initiative-list")).status_code == 200
    assert client.get(reverse("insights:review-detail", args=[review.pk])).status_code == 200
    assert client.get(reverse("insights:initiative-create")).status_code == 403
    assert client.post(reverse("insights:review-create"), {"cadence": "weekly"}).status_code == 403
    assert client.post(reverse("insights:initiative-delete", args=[initiative.pk])).status_code == 403
    notes = reverse("insights:review-notes", args=[review.pk])
    assert client.post(notes, {"notes": "x", "decisions": ""}).status_code == 403


def test_another_organizations_initiative_is_not_found(client, admin_a, member_b):
    grow(admin_a.organization, admin_a.user, 1)
    initiative = admin_a.organization.initiatives.first()
    client.force_login(member_b.user)
    assert client.get(reverse("insights:initiative-detail", args=[initiative.pk])).status_code == 404
    assert client.post(reverse("insights:initiative-delete", args=[initiative.pk])).status_code == 404


def test_the_initiative_form_refuses_an_end_before_the_start_and_keeps_what_was_typed(client, admin_a):
    client.force_login(admin_a.user)
    response = client.post(
        reverse("insights:initiative-create"),
        {"title": "Pricing test", "start": "2026-11-20", "end": "2026-11-01", "owner": admin_a.user.pk},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The initiative cannot end before it starts." in page and 'value="Pricing test"' in page
    assert not admin_a.organization.initiatives.exists()


def test_a_guardrail_form_with_a_comma_in_english_is_refused_with_a_message(client, admin_a):
    cycle = CycleFactory(organization=admin_a.organization)
    key_result = KeyResultFactory(objective=ObjectiveFactory(cycle=cycle))
    kpi = KpiFactory(organization=admin_a.organization)
    client.force_login(admin_a.user)
    url = reverse("kpis:guardrail-create", args=[key_result.pk])
    response = client.post(url, {"kpi": kpi.pk, "comparison": "at_most", "limit": "15,5"})
    assert response.status_code == 400
    assert not key_result.guardrails.exists()
    response = client.post(url, {"kpi": kpi.pk, "comparison": "at_most", "limit": "15.5"})
    assert response.status_code == 302
    assert key_result.guardrails.get().limit == Decimal("15.5")
    edit = client.get(reverse("okrs:key-result-update", args=[key_result.pk])).content.decode()
    assert kpi.name in edit and "15.5" in edit
