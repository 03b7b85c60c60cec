"""Business reviews: an agenda generated from the stored figures since the last review, notes and
decisions recorded during the meeting, and action items that carry over until they are done.

The agenda is built when a review is created (and again on request while it is open) and kept as it
was once the review is closed, so a past review shows what was discussed. It covers the time since the
previous review of the same scope (the organization, or one team), or one cadence back for the first.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from comments.models import Comment
from common.numbers import plain_decimal
from common.people import person_name
from common.timezones import zone_or_utc
from insights.choices import ReviewCadence, ReviewState
from insights.models import ActionItem, BusinessReview
from insights.services._checks import check_member, check_same_organization
from kpis.models import Guardrail, Kpi, KpiValue
from okrs.choices import CycleState, ObjectiveState, Status
from okrs.models import KeyResult, Objective

CADENCE_DAYS = {ReviewCadence.WEEKLY: 7, ReviewCadence.MONTHLY: 30}
ATTENTION = (Status.OFF_TRACK, Status.AT_RISK, Status.STALE)
LIMIT = 10
ACTION_EDITABLE = ["title", "owner", "due_date", "key_result", "kpi", "done"]


@transaction.atomic
def review_create(
    *, organization: Organization, user=None, team=None, cadence=ReviewCadence.WEEKLY, held_on=None
):
    """Open a review of the organization (or of one team) with its agenda prepared."""
    if team is not None:
        check_same_organization([team], organization=organization, field="team")
    if cadence not in ReviewCadence.values:
        raise ValidationError({"cadence": _("Choose weekly or monthly.")})
    now = timezone.now()
    previous = _previous(organization, team)
    review = BusinessReview(
        organization=organization,
        team=team,
        cadence=cadence,
        held_on=held_on or timezone.localtime(now, zone_or_utc(organization.time_zone)).date(),
        covers_from=previous.created_at if previous else now - timedelta(days=CADENCE_DAYS[cadence]),
        created_by=user,
    )
    review.full_clean(exclude=["organization", "team", "created_by"])
    review.save()
    return review_prepare(review=review, now=now)


@transaction.atomic
def review_prepare(*, review: BusinessReview, now: datetime | None = None) -> BusinessReview:
    """(Re)build the agenda of an open review from the figures as they are now."""
    if review.state == ReviewState.CLOSED:
        raise ValidationError(_("A closed review keeps the agenda it was held with."))
    now = now or timezone.now()
    previous = _previous(review.organization, review.team, before=review)
    review.agenda = agenda_build(
        organization=review.organization,
        team=review.team,
        since=review.covers_from,
        cadence=review.cadence,
        previous_statuses=(previous.agenda.get("kpi_statuses") if previous else None),
    )
    review.prepared_at = now
    review.save(update_fields=["agenda", "prepared_at", "updated_at"])
    return review


@transaction.atomic
def review_update(*, review: BusinessReview, **fields) -> BusinessReview:
    """Record notes and decisions (while open)."""
    unknown = set(fields) - {"notes", "decisions", "held_on"}
    if unknown:
        raise TypeError(f"Not editable fields of a review: {', '.join(sorted(unknown))}")
    if review.state == ReviewState.CLOSED:
        raise ValidationError(_("This review is closed; its notes and decisions are kept as they were."))
    for name, value in fields.items():
        setattr(review, name, value)
    review.full_clean(exclude=["organization", "team", "created_by"])
    review.save()
    return review


@transaction.atomic
def review_close(*, review: BusinessReview) -> BusinessReview:
    """Close a review: its agenda, notes and decisions stay as they are; open action items carry over."""
    if review.state != ReviewState.CLOSED:
        review.state = ReviewState.CLOSED
        review.save(update_fields=["state", "updated_at"])
    return review


@transaction.atomic
def action_item_create(*, review: BusinessReview, **fields) -> ActionItem:
    done = fields.pop("done", False)
    _check_action_fields(fields)
    item = ActionItem(organization=review.organization, review=review, **fields)
    if done:
        item.done_at = timezone.now()
    _validate_action(item)
    item.save()
    return item


@transaction.atomic
def action_item_update(*, item: ActionItem, **fields) -> ActionItem:
    if "done" in fields:
        done = fields.pop("done")
        if done and item.done_at is None:
            item.done_at = timezone.now()
        elif not done:
            item.done_at = None
    _check_action_fields(fields)
    for name, value in fields.items():
        setattr(item, name, value)
    _validate_action(item)
    item.save()
    return item


def _check_action_fields(fields: dict) -> None:
    unknown = set(fields) - set(ACTION_EDITABLE)
    if unknown:
        raise TypeError(f"Not editable fields of an action item: {', '.join(sorted(unknown))}")


def _validate_action(item: ActionItem) -> None:
    organization = item.organization
    item.full_clean(exclude=["organization", "review"])
    check_member(item.owner, organization=organization)
    linked = [thing for thing in (item.key_result, item.kpi) if thing is not None]
    check_same_organization(
        linked, organization=organization, field="key_result" if item.key_result else "kpi"
    )


def _previous(organization, team, before: BusinessReview | None = None) -> BusinessReview | None:
    reviews = BusinessReview.objects.filter(organization=organization, team=team)
    if before is not None and before.pk:
        reviews = reviews.filter(
            Q(created_at__lt=before.created_at) | Q(created_at=before.created_at, pk__lt=before.pk)
        )
    return reviews.order_by("-created_at", "-pk").first()


# The agenda ----------------------------------------------------------------------------------------


def agenda_build(
    *, organization: Organization, team, since: datetime, cadence: str, previous_statuses: dict | None
) -> dict:
    """What the meeting should look at, as plain data (ids, names, codes of statuses)."""
    objectives = Objective.objects.filter(
        cycle__organization=organization, state=ObjectiveState.ACTIVE, cycle__state=CycleState.ACTIVE
    )
    kpis = Kpi.objects.for_organization(organization).active()
    if team is not None:
        objectives = objectives.filter(team=team)
        kpis = kpis.filter(team=team)
    objectives = list(objectives.order_by("pk").prefetch_related("key_results"))
    kpis = list(kpis.order_by("name"))
    statuses = _kpi_statuses(kpis)
    return {
        "kpi_statuses": {str(pk): status for pk, (status, _previous) in statuses.items()},
        "kpi_changes": _kpi_changes(kpis, statuses, previous_statuses),
        "key_results": _attention(objectives, since),
        "movers": _movers(objectives, cadence),
        "trends": _trends(kpis),
        "guardrails": _guardrails(objectives),
        "quality": _quality(kpis),
        "comments": _comments(organization, objectives, kpis, since),
    }


def _kpi_statuses(kpis: list[Kpi]) -> dict[int, tuple[str, str | None]]:
    """Each KPI's latest period status and the one of the period before (one query)."""
    result: dict[int, list[str]] = {}
    rows = (
        KpiValue.objects.filter(kpi__in=kpis)
        .order_by("kpi_id", "-period_start")
        .values_list("kpi_id", "status")
    )
    for kpi_id, status in rows:
        result.setdefault(kpi_id, [])
        if len(result[kpi_id]) < 2:
            result[kpi_id].append(status)
    return {pk: (values[0], values[1] if len(values) > 1 else None) for pk, values in result.items()}


def _kpi_changes(kpis, statuses, previous_statuses) -> list[dict]:
    changes = []
    for kpi in kpis:
        if kpi.pk not in statuses:
            continue
        now, before_period = statuses[kpi.pk]
        before = previous_statuses.get(str(kpi.pk)) if previous_statuses is not None else before_period
        if before is not None and before != now:
            changes.append({"id": kpi.pk, "name": kpi.name, "from": before, "to": now})
    return changes


def _attention(objectives, since: datetime) -> list[dict]:
    """Key results off track, at risk or stale, and those without a check-in since the last review."""
    rows = []
    for objective in objectives:
        for kr in objective.key_results.all():
            quiet = kr.last_check_in_at is None or kr.last_check_in_at < since
            if kr.status in ATTENTION or quiet:
                rows.append(
                    {
                        "id": kr.pk,
                        "title": kr.title,
                        "objective_id": objective.pk,
                        "objective": objective.title,
                        "status": kr.status,
                        "no_recent_check_in": quiet,
                        "last_check_in_at": kr.last_check_in_at.isoformat() if kr.last_check_in_at else None,
                    }
                )
    order = {Status.OFF_TRACK: 0, Status.AT_RISK: 1, Status.STALE: 2}
    return sorted(rows, key=lambda row: (order.get(row["status"], 3), row["title"]))


def _movers(objectives, cadence: str) -> list[dict]:
    window = "7" if cadence == ReviewCadence.WEEKLY else "30"
    titles = {kr.pk: (kr.title, objective) for objective in objectives for kr in objective.key_results.all()}
    moved = []
    for objective in objectives:
        for pk, change in (objective.movers or {}).get(window, []):
            if pk in titles:
                moved.append(
                    {
                        "id": pk,
                        "title": titles[pk][0],
                        "objective_id": objective.pk,
                        "objective": objective.title,
                        "change": change,
                    }
                )
    moved.sort(key=lambda row: -abs(float(row["change"])))
    return moved[:LIMIT]


def _trends(kpis: list[Kpi]) -> dict:
    with_trend = [kpi for kpi in kpis if kpi.trend is not None and kpi.trend != 0]
    rows = [{"id": kpi.pk, "name": kpi.name, "trend": str(kpi.trend)} for kpi in with_trend]
    improving = sorted((row for row in rows if float(row["trend"]) > 0), key=lambda row: -float(row["trend"]))
    worsening = sorted((row for row in rows if float(row["trend"]) < 0), key=lambda row: float(row["trend"]))
    return {"improving": improving[:5], "worsening": worsening[:5]}


def _guardrails(objectives) -> list[dict]:
    ids = [kr.pk for objective in objectives for kr in objective.key_results.all()]
    rows = Guardrail.objects.filter(key_result_id__in=ids, breached=True).select_related(
        "kpi", "key_result__objective"
    )
    return [
        {
            "key_result_id": guardrail.key_result_id,
            "key_result": guardrail.key_result.title,
            "objective_id": guardrail.key_result.objective_id,
            "kpi_id": guardrail.kpi_id,
            "kpi": guardrail.kpi.name,
            "comparison": guardrail.comparison,
            "limit": plain_decimal(guardrail.limit),
            "value": plain_decimal(guardrail.value) if guardrail.value is not None else None,
        }
        for guardrail in rows
    ]


def _quality(kpis: list[Kpi]) -> list[dict]:
    rows = [kpi for kpi in kpis if kpi.quality_score is not None and kpi.quality_score < 1]
    rows.sort(key=lambda kpi: (kpi.quality_score, kpi.name))
    return [
        {
            "id": kpi.pk,
            "name": kpi.name,
            "score": str(kpi.quality_score),
            "issues": [i["kind"] for i in kpi.quality_issues],
        }
        for kpi in rows[:LIMIT]
    ]


def _comments(organization, objectives, kpis, since: datetime) -> list[dict]:
    comments = Comment.objects.filter(
        organization=organization, created_at__gte=since, deleted_at__isnull=True, hidden_at__isnull=True
    )
    comments = comments.filter(
        Q(objective__in=[o.pk for o in objectives])
        | Q(key_result__objective__in=[o.pk for o in objectives])
        | Q(kpi__in=[k.pk for k in kpis])
    )
    rows = []
    for comment in comments.select_related("author").order_by("-created_at")[:LIMIT]:
        if comment.kpi_id:
            link = reverse("dashboards:kpi-detail", args=[comment.kpi_id])
        else:
            objective_id = comment.objective_id or KeyResult.objects.values_list(
                "objective_id", flat=True
            ).get(pk=comment.key_result_id)
            link = reverse("dashboards:objective-detail", args=[objective_id])
        rows.append(
            {
                "id": comment.pk,
                "author": person_name(comment.author, missing=""),
                "body": comment.body[:280],
                "link": link,
                "created_at": comment.created_at.isoformat(),
            }
        )
    return rows
