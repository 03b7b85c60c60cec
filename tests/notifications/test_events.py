"""Review requests, review decisions and mentions reach the people they concern."""

import pytest

from comments import services as comment_services
from notifications.choices import NotificationKind
from notifications.models import Notification
from okrs.choices import ObjectiveState
from okrs.services import reviews

pytestmark = pytest.mark.django_db


def test_reviewers_are_asked_and_the_owner_hears_the_decision(
    tree, admin_a, editor_a, django_capture_on_commit_callbacks, mailoutbox, eager_celery
):
    objective = tree.objective
    objective.state = ObjectiveState.DRAFT
    objective.save()
    reviews.objective_reviewers_set(
        objective=objective, reviewers=[(admin_a.user, True), (editor_a.user, False)]
    )
    with django_capture_on_commit_callbacks(execute=True):
        reviews.objective_review_submit(objective=objective, user=tree.owner)
    asked = Notification.objects.filter(kind=NotificationKind.REVIEW_REQUESTED)
    assert set(asked.values_list("recipient__username", flat=True)) == {"admin-a", "editor-a"}
    assert asked.first().title == "Please review “Grow pipeline”"
    assert asked.first().link == objective.get_absolute_url()
    assert sorted(mail.to[0] for mail in mailoutbox) == [admin_a.user.email, editor_a.user.email]

    reviews.objective_review_decide(
        objective=objective, user=admin_a.user, decision="request_changes", comment="Name the segment."
    )
    (decided,) = Notification.objects.filter(kind=NotificationKind.REVIEW_DECIDED)
    assert decided.recipient == tree.owner and decided.body == "Name the segment."
    assert "requested changes to “Grow pipeline”" in decided.title


def test_mentioned_people_are_told_with_a_link_to_the_comment(tree, admin_a):
    comment = comment_services.comment_create(
        author=tree.owner, body="@admin-a and @owner, see the pipeline", objective=tree.objective
    )
    (told,) = Notification.objects.filter(kind=NotificationKind.MENTION)
    assert told.recipient == admin_a.user  # never the author
    assert told.link == f"{tree.objective.get_absolute_url()}#comment-{comment.pk}"
    assert "see the pipeline" in told.body
