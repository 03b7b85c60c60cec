"""The weekly check-in reminder, computed in each person's own time zone."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.choices import Role
from notifications import services, tasks
from notifications.choices import NotificationKind
from notifications.models import Notification
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

# Monday 16 November 2026.
MONDAY_8_UTC = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


@pytest.fixture
def people(org_a):
    """Marta in Madrid and Nate in New York, each owning key results; both want the digest Monday 9:00."""
    cycle = CycleFactory(organization=org_a)
    objective = ObjectiveFactory(cycle=cycle, title="Grow pipeline")
    result = {}
    for name, zone in (("marta", "Europe/Madrid"), ("nate", "America/New_York")):
        user = MembershipFactory(organization=org_a, role=Role.EDITOR, user=UserFactory(username=name)).user
        services.preference_update(
            user=user, organization=org_a, time_zone=zone, digest_weekday=0, digest_hour=9
        )
        KeyResultFactory(objective=objective, owner=user, title=f"{name} never checked in")
        KeyResultFactory(
            objective=objective,
            owner=user,
            title=f"{name} checked in last week",
            last_check_in_at=MONDAY_8_UTC - timedelta(days=7),
        )
        KeyResultFactory(
            objective=objective,
            owner=user,
            title=f"{name} checked in a month ago",
            last_check_in_at=MONDAY_8_UTC - timedelta(days=30),
        )
        result[name] = user
    return result


def _digests(user):
    return list(Notification.objects.filter(recipient=user, kind=NotificationKind.CHECK_IN_DIGEST))


def _run(at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return tasks.digests_send_task()


def test_digest_arrives_at_nine_where_each_person_is(people):
    marta, nate = people["marta"], people["nate"]
    assert _run(MONDAY_8_UTC - timedelta(hours=1)) == 0  # 08:00 in Madrid, 02:00 in New York
    assert _run(MONDAY_8_UTC) == 1  # 09:00 in Madrid
    (digest,) = _digests(marta)
    assert _digests(nate) == []
    assert digest.title == "2 key results are due for a check-in"
    assert "marta never checked in" in digest.body and "marta checked in a month ago" in digest.body
    assert "checked in last week" not in digest.body and "nate" not in digest.body

    assert _run(MONDAY_8_UTC + timedelta(hours=5)) == 0  # 09:00 in New York is 14:00 UTC
    assert _run(MONDAY_8_UTC + timedelta(hours=6)) == 1
    assert len(_digests(nate)) == 1
    assert len(_digests(marta)) == 1  # her later runs that day send nothing again


def test_digest_is_sent_once_a_week(people):
    _run(MONDAY_8_UTC)
    _run(MONDAY_8_UTC + timedelta(minutes=30))  # the same hour, run again
    assert len(_digests(people["marta"])) == 1
    _run(MONDAY_8_UTC + timedelta(days=7))
    assert len(_digests(people["marta"])) == 2


def test_no_digest_when_everything_was_checked_in_within_the_cadence(people):
    marta = people["marta"]
    from okrs.models import KeyResult

    KeyResult.objects.filter(owner=marta).update(last_check_in_at=MONDAY_8_UTC - timedelta(days=1))
    assert _run(MONDAY_8_UTC) == 0
    assert _digests(marta) == []


def test_digest_skips_key_results_of_draft_objectives_and_closed_cycles(org_a, people):
    marta = people["marta"]
    draft = ObjectiveFactory(cycle=CycleFactory(organization=org_a), state="draft")
    closed = ObjectiveFactory(cycle=CycleFactory(organization=org_a, state="closed"))
    KeyResultFactory(objective=draft, owner=marta, title="draft work")
    KeyResultFactory(objective=closed, owner=marta, title="last quarter")
    _run(MONDAY_8_UTC)
    (digest,) = _digests(marta)
    assert "draft work" not in digest.body and "last quarter" not in digest.body


def test_people_who_turned_the_digest_off_get_none(org_a, people):
    services.preference_update(user=people["marta"], organization=org_a, events=[NotificationKind.ALERT])
    _run(MONDAY_8_UTC)
    assert _digests(people["marta"]) == []
