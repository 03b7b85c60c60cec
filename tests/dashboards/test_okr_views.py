"""Pages that change OKRs: check-ins (htmx and plain), creating and editing objectives and key results."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from okrs.choices import CycleState, KeyResultKind, ObjectiveState, OutcomeKind
from okrs.models import CheckIn, KeyResult, Objective
from tests.dashboards.builders import kpi_build
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def key_result(editor_a):
    cycle = CycleFactory(organization=editor_a.organization)
    objective = ObjectiveFactory(cycle=cycle, owner=editor_a.user, title="Grow revenue")
    return KeyResultFactory(objective=objective, owner=editor_a.user, start_value=0, target_value=200)


def _check_in_url(key_result):
    return reverse("okrs:check-in-create", args=[key_result.pk])


# Check-ins ------------------------------------------------------------------------------------------


def test_htmx_check_in_returns_the_updated_row_and_objective_summary(client, editor_a, key_result):
    client.force_login(editor_a.user)
    response = client.post(
        _check_in_url(key_result), {"value": "50", "confidence": "7", "note": "Q3 deals"}, **HTMX
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith(f'<li class="kr-row" id="kr-{key_result.pk}"')
    assert '<span class="kr-current" data-role="value">50</span>' in content
    assert "25 %" in content  # 50 of 0 → 200
    assert "Check-in saved." in content
    assert 'id="objective-summary" class="objective-summary" hx-swap-oob="true"' in content
    key_result.refresh_from_db()
    assert key_result.current_value == Decimal(50) and key_result.progress == Decimal("0.25")
    check_in = CheckIn.objects.get(key_result=key_result)
    assert (check_in.confidence, check_in.note, check_in.author) == (7, "Q3 deals", editor_a.user)


def test_htmx_check_in_from_my_okrs_keeps_the_objective_link_and_skips_the_summary(
    client, editor_a, key_result
):
    client.force_login(editor_a.user)
    data = {"value": "10", "confidence": "5", "show_objective": "1"}
    content = client.post(_check_in_url(key_result), data, **HTMX).content.decode()
    assert "Grow revenue" in content and "objective-summary" not in content


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"value": "", "confidence": "5"}, "value", "This field is required."),
        ({"value": "abc", "confidence": "5"}, "value", "Enter a number."),
        ({"value": "5", "confidence": "11"}, "confidence", "less than or equal to 10"),
    ],
)
def test_bad_check_in_shows_the_error_next_to_the_field(client, editor_a, key_result, data, field, message):
    client.force_login(editor_a.user)
    response = client.post(_check_in_url(key_result), data, **HTMX)
    assert response.status_code == 400
    content = response.content.decode()
    assert f'id="id_kr{key_result.pk}_{field}_error"' in content and message in content
    assert '<details class="kr-check-in" open>' in content
    assert not CheckIn.objects.exists()


def test_check_in_refused_by_the_service_shows_its_reason(client, editor_a, key_result):
    cycle = key_result.objective.cycle
    cycle.state = CycleState.CLOSED
    cycle.save()
    client.force_login(editor_a.user)
    response = client.post(_check_in_url(key_result), {"value": "5", "confidence": "5"}, **HTMX)
    assert response.status_code == 400
    assert "The cycle is closed" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_key_result_following_a_kpi_offers_no_check_in(client, editor_a, key_result):
    key_result.kpi = kpi_build(editor_a.organization, code="win_rate", name="Win rate")
    key_result.save()
    client.force_login(editor_a.user)
    page = client.get(key_result.objective.get_absolute_url()).content.decode()
    assert "Follows a KPI" in page and f'hx-post="{_check_in_url(key_result)}"' not in page
    response = client.post(_check_in_url(key_result), {"value": "5", "confidence": "5"}, **HTMX)
    assert response.status_code == 400 and "its value comes from the KPI" in response.content.decode()


def test_plain_check_in_redirects_back_with_a_message(client, editor_a, key_result):
    client.force_login(editor_a.user)
    response = client.post(_check_in_url(key_result), {"value": "20", "confidence": "5"}, follow=True)
    assert response.redirect_chain[-1][0] == key_result.objective.get_absolute_url()
    assert "Check-in saved." in response.content.decode()


def test_plain_check_in_page_shows_errors(client, editor_a, key_result):
    client.force_login(editor_a.user)
    assert client.get(_check_in_url(key_result)).status_code == 200
    response = client.post(_check_in_url(key_result), {"value": "", "confidence": "5"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_viewer_cannot_check_in(client, viewer_a, key_result):
    client.force_login(viewer_a.user)
    response = client.post(_check_in_url(key_result), {"value": "5", "confidence": "5"}, **HTMX)
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_check_in_on_another_organizations_key_result_is_not_found(client, member_b, key_result):
    client.force_login(member_b.user)
    assert client.post(_check_in_url(key_result), {"value": "5", "confidence": "5"}).status_code == 404
    assert not CheckIn.objects.exists()


# Objectives -----------------------------------------------------------------------------------------


def _objective_data(cycle, owner, **overrides):
    data = {
        "cycle": cycle.pk,
        "title": "Shorten the sales cycle",
        "description": "",
        "type": "committed",
        "so_what": "Faster deals free sellers for new ones.",
        "outcome_kind": OutcomeKind.EFFICIENCY,
        "owner": owner.pk,
        "team": "",
        "state": ObjectiveState.ACTIVE,
        "priority": "",
        "parent": "",
    }
    return {**data, **overrides}


def test_editor_creates_an_objective(client, editor_a):
    cycle = CycleFactory(organization=editor_a.organization)
    priority = PriorityFactory(organization=editor_a.organization)
    client.force_login(editor_a.user)
    assert client.get(reverse("okrs:objective-create"), {"priority": priority.pk}).status_code == 200
    response = client.post(
        reverse("okrs:objective-create"), _objective_data(cycle, editor_a.user, priority=priority.pk)
    )
    objective = Objective.objects.get(title="Shorten the sales cycle")
    assert response.status_code == 302 and response["Location"] == objective.get_absolute_url()
    assert objective.priority == priority and objective.owner == editor_a.user


def test_objective_form_refuses_another_organizations_priority(client, editor_a, member_b):
    cycle = CycleFactory(organization=editor_a.organization)
    foreign = PriorityFactory(organization=member_b.organization)
    client.force_login(editor_a.user)
    response = client.post(
        reverse("okrs:objective-create"), _objective_data(cycle, editor_a.user, priority=foreign.pk)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["priority"]
    assert not Objective.objects.filter(title="Shorten the sales cycle").exists()


def test_objective_edit_refuses_a_loop_in_the_cascade_with_the_models_reason(client, editor_a):
    cycle = CycleFactory(organization=editor_a.organization)
    parent = ObjectiveFactory(cycle=cycle, owner=editor_a.user, title="Parent")
    child = ObjectiveFactory(cycle=cycle, owner=editor_a.user, parent=parent, title="Child")
    client.force_login(editor_a.user)
    data = _objective_data(cycle, editor_a.user, title="Parent", parent=child.pk)
    response = client.post(reverse("okrs:objective-update", args=[parent.pk]), data)
    assert response.status_code == 400
    [error] = response.context["form"].errors["parent"]
    assert "would make a loop in the cascade" in error
    assert 'class="field-error"' in response.content.decode()
    parent.refresh_from_db()
    assert parent.parent is None


def test_objective_edit_saves(client, editor_a):
    cycle = CycleFactory(organization=editor_a.organization)
    objective = ObjectiveFactory(cycle=cycle, owner=editor_a.user)
    client.force_login(editor_a.user)
    assert client.get(reverse("okrs:objective-update", args=[objective.pk])).status_code == 200
    data = _objective_data(cycle, editor_a.user, title="Renamed")
    assert client.post(reverse("okrs:objective-update", args=[objective.pk]), data).status_code == 302
    objective.refresh_from_db()
    assert objective.title == "Renamed"


def test_viewer_cannot_create_or_edit_objectives(client, viewer_a):
    cycle = CycleFactory(organization=viewer_a.organization)
    objective = ObjectiveFactory(cycle=cycle)
    client.force_login(viewer_a.user)
    assert client.get(reverse("okrs:objective-create")).status_code == 403
    data = _objective_data(cycle, viewer_a.user)
    assert client.post(reverse("okrs:objective-create"), data).status_code == 403
    assert client.post(reverse("okrs:objective-update", args=[objective.pk]), data).status_code == 403
    assert Objective.objects.count() == 1


def test_editing_another_organizations_objective_is_not_found(client, member_b, key_result):
    client.force_login(member_b.user)
    objective = key_result.objective
    assert client.get(reverse("okrs:objective-update", args=[objective.pk])).status_code == 404
    assert client.get(reverse("okrs:key-result-create", args=[objective.pk])).status_code == 404
    assert client.get(reverse("okrs:key-result-update", args=[key_result.pk])).status_code == 404


# Key results ----------------------------------------------------------------------------------------


def _key_result_data(owner, **overrides):
    data = {
        "title": "Win 30 new logos",
        "owner": owner.pk,
        "kind": KeyResultKind.INCREASE,
        "unit": "number",
        "start_value": "0",
        "target_value": "30",
        "due_date": "",
        "weight": "1",
        "confidence": "5",
    }
    return {**data, **overrides}


def test_editor_adds_a_key_result_due_at_the_end_of_the_cycle(client, editor_a, key_result):
    objective = key_result.objective
    client.force_login(editor_a.user)
    response = client.post(
        reverse("okrs:key-result-create", args=[objective.pk]), _key_result_data(editor_a.user)
    )
    assert response.status_code == 302
    created = KeyResult.objects.get(title="Win 30 new logos")
    assert created.due_date == objective.cycle.end and created.current_value == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"target_value": "0"}, "target_value", "The target must differ from the start value."),
        ({"kind": KeyResultKind.DECREASE}, "target_value", "needs a target below its start value"),
        ({"start_value": ""}, "start_value", "This field is required."),
    ],
)
def test_key_result_form_shows_the_models_validation_next_to_the_field(
    client, editor_a, key_result, overrides, field, message
):
    client.force_login(editor_a.user)
    url = reverse("okrs:key-result-create", args=[key_result.objective.pk])
    response = client.post(url, _key_result_data(editor_a.user, **overrides))
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert not KeyResult.objects.filter(title="Win 30 new logos").exists()


def test_key_result_due_date_outside_the_cycle_is_refused(client, editor_a, key_result):
    client.force_login(editor_a.user)
    late = key_result.objective.cycle.end + timedelta(days=10)
    data = _key_result_data(editor_a.user, due_date=late.isoformat())
    response = client.post(reverse("okrs:key-result-update", args=[key_result.pk]), data)
    assert response.status_code == 400
    assert "The due date must fall within the cycle" in response.context["form"].errors["due_date"][0]


def test_key_result_edit_keeps_the_current_value(client, editor_a, key_result):
    key_result.current_value = Decimal(12)
    key_result.save()
    client.force_login(editor_a.user)
    data = _key_result_data(editor_a.user, title="Renamed", due_date=key_result.due_date.isoformat())
    assert client.get(reverse("okrs:key-result-update", args=[key_result.pk])).status_code == 200
    assert client.post(reverse("okrs:key-result-update", args=[key_result.pk]), data).status_code == 302
    key_result.refresh_from_db()
    assert key_result.title == "Renamed" and key_result.current_value == Decimal(12)


def test_viewer_cannot_add_or_edit_key_results(client, viewer_a, key_result):
    client.force_login(viewer_a.user)
    data = _key_result_data(viewer_a.user)
    assert (
        client.post(reverse("okrs:key-result-create", args=[key_result.objective.pk]), data).status_code
        == 403
    )
    assert client.post(reverse("okrs:key-result-update", args=[key_result.pk]), data).status_code == 403
