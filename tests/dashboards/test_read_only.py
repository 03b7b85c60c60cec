"""The objective page offers only what the lifecycle allows: nothing to edit or check in once closed."""

import pytest
from django.urls import reverse

from okrs import services
from okrs.choices import ObjectiveState
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objective(editor_a):
    cycle = CycleFactory(organization=editor_a.organization)
    objective = ObjectiveFactory(cycle=cycle, owner=editor_a.user, title="Grow revenue")
    KeyResultFactory(objective=objective, owner=editor_a.user, title="Win rate")
    return objective


def _page(client, user, objective) -> str:
    client.force_login(user)
    response = client.get(objective.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_an_active_objective_offers_edits_and_check_ins(client, editor_a, objective):
    page = _page(client, editor_a.user, objective)
    assert reverse("okrs:objective-update", args=[objective.pk]) in page
    assert reverse("okrs:key-result-create", args=[objective.pk]) in page
    assert 'class="check-in-form"' in page


def test_a_closed_cycle_offers_no_edit_and_no_check_in(client, editor_a, admin_a, objective):
    services.cycle_close(cycle=objective.cycle, user=admin_a.user)
    page = _page(client, editor_a.user, objective)
    assert reverse("okrs:objective-update", args=[objective.pk]) not in page
    assert reverse("okrs:key-result-create", args=[objective.pk]) not in page
    assert 'class="check-in-form"' not in page
    assert "The cycle is closed: no more check-ins." in page


def test_a_draft_objective_says_when_check_ins_open(client, editor_a, objective):
    objective.state = ObjectiveState.DRAFT
    objective.save()
    page = _page(client, editor_a.user, objective)
    assert 'class="check-in-form"' not in page
    assert "Check-ins open when the objective is active; it is draft." in page
    assert reverse("okrs:objective-update", args=[objective.pk]) in page
