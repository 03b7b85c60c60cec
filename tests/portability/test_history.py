"""The activity history travels with an organization's export: same entries, same times, same people,
every id pointing at the imported rows."""

from types import SimpleNamespace

import pytest

from accounts.models import Team
from activity import context
from activity.models import ActivityEntry
from activity.selectors import entries_describe
from okrs.models import Objective
from portability import services
from tests.accounts.factories import TeamFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def _history(organization) -> list[ActivityEntry]:
    return list(
        ActivityEntry.objects.filter(organization_id=organization.pk)
        .select_related("content_type")
        .order_by("timestamp", "pk")
    )


def _comparable(entry: ActivityEntry) -> tuple:
    return (
        entry.content_type.model,
        entry.action,
        entry.object_repr,
        entry.timestamp,
        entry.actor_id,
        entry.source,
        entry.changes_text,
    )


@pytest.fixture
def history(admin_a):
    """Changes made by the admin on pages: teams, a cycle, an objective moved between teams, a key
    result created then deleted."""
    organization = admin_a.organization
    token = context.current_request.set(SimpleNamespace(user=admin_a.user, resolver_match=None))
    try:
        sales = TeamFactory(organization=organization, name="Sales")
        marketing = TeamFactory(organization=organization, name="Marketing")
        cycle = CycleFactory(organization=organization, name="Q4")
        objective = ObjectiveFactory(cycle=cycle, owner=admin_a.user, team=sales, title="Grow")
        objective.team = marketing
        objective.title = "Grow more"
        objective.save()
        gone = KeyResultFactory(objective=objective, owner=admin_a.user, title="Gone")
        gone.delete()
    finally:
        context.current_request.reset(token)
    return organization


def test_history_is_exported_and_imported_with_every_id_remapped(history, admin_a):
    before = _history(history)
    assert any(entry.action == ActivityEntry.Action.DELETE for entry in before)
    result = services.organization_import(
        lines=services.organization_export(organization=history), slug="copy"
    )
    copy = result.organization
    after = _history(copy)

    # The same entries, in the same order, with their times and authors; the import added none.
    assert [_comparable(e) for e in after] == [_comparable(e) for e in before]

    objective = Objective.objects.get(cycle__organization=copy, title="Grow more")
    teams = {team.name: team.pk for team in Team.objects.filter(organization=copy)}
    update = next(
        e for e in after if e.content_type.model == "objective" and e.action == ActivityEntry.Action.UPDATE
    )
    assert (update.object_id, update.object_pk, update.objective_id) == (
        objective.pk,
        str(objective.pk),
        objective.pk,
    )
    assert [str(value) for value in update.changes["team"]] == [str(teams["Sales"]), str(teams["Marketing"])]
    created = next(
        e for e in after if e.content_type.model == "objective" and e.action == ActivityEntry.Action.CREATE
    )
    assert str(created.changes["cycle"][1]) == str(objective.cycle_id)
    assert str(created.changes["owner"][1]) == str(admin_a.user.pk)

    # The deleted key result's entries keep their text; they link to nothing.
    deleted = [e for e in after if e.content_type.model == "keyresult"]
    assert deleted and all(e.object_id is None for e in deleted)
    assert {e.object_repr for e in deleted} == {
        e.object_repr for e in before if e.content_type.model == "keyresult"
    }

    # The imported timeline describes its entries with the imported objects' names.
    described = entries_describe(entries=[update])[0]
    assert "Marketing" in str(described.described)


def test_the_source_organizations_history_is_untouched(history):
    before = [_comparable(e) for e in _history(history)]
    services.organization_import(lines=services.organization_export(organization=history), slug="copy")
    assert [_comparable(e) for e in _history(history)] == before
