"""Comment services: posting with mentions of members only, the 15-minute edit window, soft delete, hiding
by admins, and every comment staying within its organization."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from accounts.choices import Role
from comments import selectors, services, signals
from comments.models import Comment
from common.exceptions import ApplicationError
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentions():
    sent = []

    def receiver(sender, comment, users, **kwargs):
        sent.append((comment.pk, sorted(u.username for u in users)))

    signals.mentioned.connect(receiver, dispatch_uid="test-mentioned")
    yield sent
    signals.mentioned.disconnect(dispatch_uid="test-mentioned")


@pytest.fixture
def objective(admin_a):
    return ObjectiveFactory(cycle__organization=admin_a.organization, owner=admin_a.user)


@pytest.fixture
def ana(org_a):
    user = UserFactory(username="ana", first_name="Ana", last_name="Ruiz")
    MembershipFactory(user=user, organization=org_a, role=Role.VIEWER)
    return user


def test_mentions_reach_members_of_the_organization_only(objective, viewer_a, ana, member_b, mentions):
    gone = UserFactory(username="gone")
    MembershipFactory(user=gone, organization=objective.cycle.organization, active=False)
    comment = services.comment_create(
        author=viewer_a.user,
        objective=objective,
        body="@Ana and @member-b, also @gone, @viewer-a and @nobody: look.",
    )
    assert sorted(comment.mentions.values_list("username", flat=True)) == ["ana", "viewer-a"]
    assert mentions == [(comment.pk, ["ana"])]  # the author is never told of their own mention


def test_a_comment_on_a_key_result_joins_its_objectives_thread(objective, admin_a):
    key_result = KeyResultFactory(objective=objective, owner=admin_a.user)
    comment = services.comment_create(author=admin_a.user, key_result=key_result, body="On the KR")
    assert (comment.objective_id, comment.key_result_id) == (objective.pk, key_result.pk)
    assert list(selectors.comment_list(organization=admin_a.organization, objective=objective)) == [comment]


def test_a_kpi_has_its_own_thread(admin_a):
    kpi = KpiFactory(organization=admin_a.organization)
    comment = services.comment_create(author=admin_a.user, kpi=kpi, body="Why the dip?")
    assert comment.organization == admin_a.organization
    assert list(selectors.comment_list(organization=admin_a.organization, kpi=kpi)) == [comment]


@pytest.mark.parametrize("body", ["", "   \n "])
def test_an_empty_comment_is_refused(objective, admin_a, body):
    with pytest.raises(ApplicationError, match="Write something"):
        services.comment_create(author=admin_a.user, objective=objective, body=body)


def test_exactly_one_target(objective, admin_a):
    kpi = KpiFactory(organization=admin_a.organization)
    with pytest.raises(ApplicationError, match="one objective"):
        services.comment_create(author=admin_a.user, objective=objective, kpi=kpi, body="x")
    with pytest.raises(IntegrityError):
        Comment.objects.create(organization=admin_a.organization, author=admin_a.user, body="x")


def test_someone_outside_the_organization_cannot_comment(objective, member_b):
    with pytest.raises(ApplicationError, match="Only members"):
        services.comment_create(author=member_b.user, objective=objective, body="Hello")


def test_the_author_edits_for_15_minutes_and_new_mentions_are_told(objective, viewer_a, ana, mentions):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        comment = services.comment_create(author=viewer_a.user, objective=objective, body="First @ana")
        clock.shift(timedelta(minutes=14, seconds=59))
        services.comment_update(comment=comment, user=viewer_a.user, body="First @ana and @admin-a")
        comment.refresh_from_db()
        assert comment.body == "First @ana and @admin-a"
        assert comment.edited_at == timezone.now()
        assert mentions == [(comment.pk, ["ana"]), (comment.pk, ["admin-a"])]
        clock.shift(timedelta(seconds=2))
        with pytest.raises(ApplicationError, match="15 minutes"):
            services.comment_update(comment=comment, user=viewer_a.user, body="Too late")
    comment.refresh_from_db()
    assert comment.body == "First @ana and @admin-a"


def test_only_the_author_edits(objective, viewer_a, admin_a):
    comment = services.comment_create(author=viewer_a.user, objective=objective, body="Mine")
    with pytest.raises(ApplicationError, match="Only the author"):
        services.comment_update(comment=comment, user=admin_a.user, body="Changed by the admin")


def test_the_author_deletes_softly_at_any_time(objective, viewer_a, admin_a):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        comment = services.comment_create(author=viewer_a.user, objective=objective, body="Oops")
        clock.shift(timedelta(days=3))
        with pytest.raises(ApplicationError, match="Only the author"):
            services.comment_delete(comment=comment, user=admin_a.user)
        services.comment_delete(comment=comment, user=viewer_a.user)
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    assert Comment.objects.filter(pk=comment.pk).exists()
    with pytest.raises(ApplicationError, match="deleted or hidden"):
        services.comment_update(comment=comment, user=viewer_a.user, body="Back")


def test_admins_hide_and_show_a_comment(objective, viewer_a, admin_a, editor_a):
    comment = services.comment_create(author=viewer_a.user, objective=objective, body="Off topic")
    with pytest.raises(ApplicationError, match="Only an organization admin"):
        services.comment_hide(comment=comment, user=editor_a.user)
    services.comment_hide(comment=comment, user=admin_a.user)
    comment.refresh_from_db()
    assert comment.hidden_by == admin_a.user and comment.hidden_at is not None
    services.comment_hide(comment=comment, user=admin_a.user, hidden=False)
    comment.refresh_from_db()
    assert (comment.hidden_at, comment.hidden_by) == (None, None)


def test_an_admin_of_another_organization_cannot_hide(objective, viewer_a, member_b):
    comment = services.comment_create(author=viewer_a.user, objective=objective, body="Ours")
    with pytest.raises(ApplicationError):
        services.comment_hide(comment=comment, user=member_b.user)


def test_another_organizations_comments_are_never_listed(objective, admin_a, member_b):
    services.comment_create(author=admin_a.user, objective=objective, body="A's")
    assert not selectors.comment_list(organization=member_b.organization).exists()
    assert not selectors.comment_list(organization=member_b.organization, objective=objective).exists()


@pytest.mark.parametrize("size", [1, 10])
def test_comment_list_runs_two_queries(objective, admin_a, ana, size, django_assert_num_queries):
    for n in range(size):
        services.comment_create(author=admin_a.user, objective=objective, body=f"{n} @ana")
    with django_assert_num_queries(2):  # comments with author, key result and hider; mentions
        comments = list(selectors.comment_list(organization=admin_a.organization, objective=objective))
        assert [c.mentions.all()[0].username for c in comments] == ["ana"] * size


def test_mention_suggestions_are_active_members_of_the_organization(org_a, admin_a, ana, member_b):
    # The factory's random names could contain "an": the admin gets one that cannot match.
    type(admin_a.user).objects.filter(pk=admin_a.user.pk).update(first_name="Zoe", last_name="Lee")
    gone = UserFactory(username="anabel")
    MembershipFactory(user=gone, organization=org_a, active=False)
    assert selectors.mention_suggestions(organization=org_a, query="@an") == [
        {"username": "ana", "name": "Ana Ruiz"}
    ]
    assert selectors.mention_suggestions(organization=org_a, query="ruiz") == [
        {"username": "ana", "name": "Ana Ruiz"}
    ]
    assert "member-b" not in [
        p["username"] for p in selectors.mention_suggestions(organization=org_a, query="")
    ]
