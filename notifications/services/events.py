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


def quality_dropped(*, organization, drops, now) -> None:
    """Tell each KPI's owner (its team's lead when it has none) that its data quality fell."""
    from django.urls import reverse

    with translation.override(organization.language):
        for kpi, before, after in drops:
            recipients = {kpi.owner_id} if kpi.owner_id else set()
            if not recipients and kpi.team_id:
                recipients = {kpi.team.lead_id} - {None}
            title = _("Data quality of “%(name)s” fell from %(before)s %% to %(after)s %%") % {
                "name": kpi.name,
                "before": int(before * 100),
                "after": int(after * 100),
            }
            notify(
                organization=organization,
                user_ids=recipients,
                kind=NotificationKind.ALERT,
                key=f"quality_dropped:{kpi.pk}:{after}:{now:%Y%m%d}",
                title=title,
                body=_("See what lowered it, worst first, on the data-quality page."),
                link=reverse("insights:data-quality") + f"#kpi-{kpi.pk}",
            )


def guardrail_breached(*, organization, guardrails) -> None:
    """Tell the owners of a key result and of its objective that one of its guardrails is breached."""
    from accounts.emails import absolute_url

    with translation.override(organization.language):
        for guardrail in guardrails:
            key_result = guardrail.key_result
            objective = key_result.objective
            title = _("Guardrail breached on “%(title)s”: %(kpi)s is past its limit") % {
                "title": key_result.title,
                "kpi": guardrail.kpi.name,
            }
            key = f"guardrail:{guardrail.pk}:{guardrail.evaluated_at:%Y%m%dT%H%M}"
            link = f"{objective.get_absolute_url()}#kr-{key_result.pk}"
            notify(
                organization=organization,
                user_ids={key_result.owner_id, objective.owner_id},
                kind=NotificationKind.ALERT,
                key=key,
                title=title,
                body=_("The key result moves, but a KPI it must not harm crossed its limit: look at both."),
                link=link,
            )
            channel_post(
                team_id=objective.team_id,
                event=ChannelEvent.ALERT,
                key=key,
                text=f"{title}\n{absolute_url(link)}",
            )
