"""Review requests, review decisions and mentions: told to the people they concern."""

from django.utils import translation
from django.utils.translation import gettext as _

from common.people import person_name
from notifications.choices import ChannelEvent, NotificationKind
from notifications.services.channels import channel_post
from notifications.services.inbox import notify


def review_requested(*, objective, reviewers, round_id: int | None) -> None:
    """Ask the reviewers to review an objective (one notification per submission round)."""
    organization = objective.cycle.organization
    key = f"review_requested:{objective.pk}:{round_id or 0}"
    link = objective.get_absolute_url()
    with translation.override(organization.language):
        title = _("Please review “%(title)s”") % {"title": objective.title}
        notify(
            organization=organization,
            user_ids=[user.pk for user in reviewers],
            kind=NotificationKind.REVIEW_REQUESTED,
            key=key,
            title=title,
            body=_("%(owner)s submitted this objective for your review.")
            % {"owner": person_name(objective.owner, missing=_("Someone"))},
            link=link,
        )
        from accounts.emails import absolute_url

        channel_post(
            team_id=objective.team_id,
            event=ChannelEvent.REVIEW_REQUESTED,
            key=key,
            text=f"{title}\n{absolute_url(link)}",
        )


def review_decided(*, objective, decision) -> None:
    """Tell the objective's owner what a reviewer decided."""
    organization = objective.cycle.organization
    reviewer_id = getattr(decision, "reviewer_id", None)
    with translation.override(organization.language):
        approved = getattr(decision, "decision", "") == "approve"
        context = {
            "reviewer": person_name(getattr(decision, "reviewer", None), missing=_("Someone")),
            "title": objective.title,
        }
        if approved:
            title = _("%(reviewer)s approved “%(title)s”") % context
        else:
            title = _("%(reviewer)s requested changes to “%(title)s”") % context
        notify(
            organization=organization,
            user_ids={objective.owner_id} - {reviewer_id},
            kind=NotificationKind.REVIEW_DECIDED,
            key=f"review_decided:{decision.pk}",
            title=title,
            body=getattr(decision, "comment", "") or "",
            link=objective.get_absolute_url(),
        )


def mentioned(*, comment, users) -> None:
    """Tell the people mentioned in a comment, with a link to it."""
    organization = comment.organization
    if comment.kpi_id:
        from django.urls import reverse

        link = reverse("dashboards:kpi-detail", args=[comment.kpi_id])
    else:
        link = comment.objective.get_absolute_url()
    with translation.override(organization.language):
        notify(
            organization=organization,
            user_ids={user.pk for user in users} - {comment.author_id},
            kind=NotificationKind.MENTION,
            key=f"mention:{comment.pk}",
            title=_("%(author)s mentioned you")
            % {"author": person_name(comment.author, missing=_("Someone"))},
            body=comment.body[:1000],
            link=f"{link}#comment-{comment.pk}",
        )
