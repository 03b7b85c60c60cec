"""Fixtures of the API tests: a DRF client, tokens for the cast, and a small OKR tree in organization A."""

import pytest
from rest_framework.test import APIClient

from accounts import services as account_services
from tests.accounts.factories import TeamFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory


@pytest.fixture
def api_client():
    return APIClient()


def bearer(user, name="test") -> dict:
    _token, raw = account_services.api_token_create(user=user, name=name)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def as_admin(api_client, admin_a):
    api_client.force_authenticate(admin_a.user)
    return api_client


@pytest.fixture
def as_editor(api_client, editor_a):
    api_client.force_authenticate(editor_a.user)
    return api_client


@pytest.fixture
def as_viewer(api_client, viewer_a):
    api_client.force_authenticate(viewer_a.user)
    return api_client


@pytest.fixture
def tree_a(admin_a):
    """A cycle of organization A with a priority, a team, an objective, a child objective and key results."""
    org = admin_a.organization
    cycle = CycleFactory(organization=org, name="Q4 2026")
    priority = PriorityFactory(organization=org, title="Grow net revenue")
    team = TeamFactory(organization=org, name="Sales")
    objective = ObjectiveFactory(cycle=cycle, priority=priority, team=team, owner=admin_a.user)
    child = ObjectiveFactory(cycle=cycle, parent=objective, owner=admin_a.user, title="Child objective")
    key_result = KeyResultFactory(objective=objective, owner=admin_a.user)
    child_key_result = KeyResultFactory(objective=child, owner=admin_a.user)
    return {
        "cycle": cycle,
        "priority": priority,
        "team": team,
        "objective": objective,
        "child": child,
        "key_result": key_result,
        "child_key_result": child_key_result,
    }


@pytest.fixture
def tree_b(member_b):
    org = member_b.organization
    cycle = CycleFactory(organization=org, name="B cycle")
    priority = PriorityFactory(organization=org)
    team = TeamFactory(organization=org, name="B team")
    objective = ObjectiveFactory(cycle=cycle, priority=priority, team=team, owner=member_b.user)
    key_result = KeyResultFactory(objective=objective, owner=member_b.user)
    return {
        "cycle": cycle,
        "priority": priority,
        "team": team,
        "objective": objective,
        "key_result": key_result,
    }


@pytest.fixture(autouse=True)
def _fresh_throttle_history():
    """Throttle counters live in the cache; ids repeat between tests, so each test starts clean."""
    from django.core.cache import cache

    cache.clear()
