"""Alerts and celebrations from evaluated statuses, damped by a tracker row per key result, objective and KPI.

An *evaluation* is one evaluation window (notifications.rules.EVALUATION_WINDOW, 15 minutes: the
interval of the periodic OKR recomputation) in which an object's figures were refreshed. Every refresh
reports what it sees (okrs.signals.figures_evaluated after writes and periodic runs,
kpis.signals.kpi_statuses_evaluated after every KPI recomputation run); a changed status restarts the
count at one, and the same status counts again only in a later window. See rules.damp.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Organization
from kpis.choices import KpiStatus
from kpis.models import Kpi, KpiValue
from notifications import rules, selectors
from notifications.choices import ChannelEvent, NotificationKind, Subject
from notifications.models import StatusTracker
from notifications.services.channels import channel_post
from notifications.services.inbox import notify
from okrs.choices import CycleState, ObjectiveState, Status

logger = logging.getLogger(__name__)

TRACKER_FIELDS = [
    "notified_status",
    "candidate_status",
    "evaluations",
    "window_start",
    "alerted",
    "updated_at",
]


@dataclass
class Observation:
    subject: str
    subject_id: int
    status: str
    title: str
    link: str
    owner_ids: set[int]
    team_id: int | None
    objective_id: int | None = None


def figures_evaluated(*, cycle, objectives, now: datetime) -> int:
    """Observe the statuses of the active objectives (and their key results) of an open cycle."""
    if cycle.state == CycleState.CLOSED:
        return 0
    observations = []
    for objective in objectives:
        if objective.state != ObjectiveState.ACTIVE:
            continue
        link = reverse("dashboards:objective-detail", args=[objective.pk])
        observations.append(
            Observation(
                Subject.OBJECTIVE,
                objective.pk,
                objective.status,
                objective.title,
                link,
                {objective.owner_id},
                objective.team_id,
                objective.pk,
            )
        )
        observations.extend(
            Observation(
                Subject.KEY_RESULT,
                kr.pk,
                kr.status,
                kr.title,
                f"{link}#kr-{kr.pk}",
                {kr.owner_id, objective.owner_id},
                objective.team_id,
                objective.pk,
            )
            for kr in objective.key_results.all()
        )
    return observations_record(organization=cycle.organization, observations=observations, now=now)


def kpi_statuses_evaluated(*, organization: Organization, kpis, now: datetime) -> int:
    """Observe each active KPI's status (that of its newest period value); `kpis` a list or a queryset."""
    latest = KpiValue.objects.filter(kpi=OuterRef("pk")).order_by("-period_start").values("status")[:1]
    chosen = kpis.values("pk") if isinstance(kpis, QuerySet) else [kpi.pk for kpi in kpis]
    rows = (
        Kpi.objects.filter(organization=organization, active=True, pk__in=chosen)
        .annotate(latest_status=Subquery(latest))
        .values_list("pk", "name", "owner_id", "team_id", "latest_status")
    )
    observations = [
        Observation(
            Subject.KPI,
            pk,
            status or KpiStatus.NONE,
            name,
            reverse("dashboards:kpi-detail", args=[pk]),
            {owner_id} if owner_id else set(),
            team_id,
        )
        for pk, name, owner_id, team_id, status in rows
    ]
    return observations_record(organization=organization, observations=observations, now=now)


def observations_record(*, organization: Organization, observations: list[Observation], now: datetime) -> int:
    """Update the trackers of these observations and tell people about what settled; the events sent.

    Runs in a savepoint: a failure here is logged and never breaks the write that refreshed the figures.
    """
    if not observations:
        return 0
    try:
        with transaction.atomic():
            return _record(organization, observations, now)
    except Exception:
        logger.exception("Could not evaluate notifications of organization %s.", organization.pk)
        return 0


def _record(organization: Organization, observations: list[Observation], now: datetime) -> int:
    window = rules.evaluation_window(now)
    required = selectors.defaults_for(organization=organization).alert_after_evaluations
    subjects = {o.subject for o in observations}
    trackers = {
        (t.subject, t.subject_id): t
        for t in StatusTracker.objects.filter(
            subject__in=subjects, subject_id__in=[o.subject_id for o in observations]
        )
    }
    created, changed, events = [], [], []
    for observation in observations:
        tracker = trackers.get((observation.subject, observation.subject_id))
        damped = rules.damp(
            notified_status=tracker.notified_status if tracker else None,
            candidate_status=tracker.candidate_status if tracker else None,
            evaluations=tracker.evaluations if tracker else 0,
            window_start=tracker.window_start if tracker else None,
            alerted=tracker.alerted if tracker else False,
            status=observation.status,
            window=window,
            required=required,
            kpi=observation.subject == Subject.KPI,
        )
        fields = {
            "notified_status": damped.notified_status,
            "candidate_status": damped.candidate_status,
            "evaluations": damped.evaluations,
            "window_start": damped.window_start,
            "alerted": damped.alerted,
        }
        if tracker is None:
            created.append(
                StatusTracker(
                    organization=organization,
                    subject=observation.subject,
                    subject_id=observation.subject_id,
                    **fields,
                )
            )
        elif any(getattr(tracker, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(tracker, name, value)
            tracker.updated_at = now
            changed.append(tracker)
        if damped.event:
            events.append((damped, observation))
    StatusTracker.objects.bulk_create(created, ignore_conflicts=True)
    StatusTracker.objects.bulk_update(changed, TRACKER_FIELDS)
    for damped, observation in events:
        _tell(organization, observation, damped)
    return len(events)


def _tell(organization: Organization, observation: Observation, damped: rules.Damped) -> None:
    """Notify the people concerned with a settled status, and post to the team's chat channels."""
    celebration = damped.event == rules.CELEBRATION
    recipients = set(observation.owner_ids)
    if observation.objective_id is not None:
        recipients |= selectors.follower_ids(objective_id=observation.objective_id)
    if celebration:
        recipients |= selectors.team_member_ids(team_id=observation.team_id)
    key = f"{damped.event}:{observation.subject}:{observation.subject_id}:{damped.notified_status}:"
    key += damped.window_start.strftime("%Y%m%dT%H%M")
    with translation.override(organization.language):
        title = _title(observation, damped)
        notify(
            organization=organization,
            user_ids=recipients - {None},
            kind=NotificationKind.CELEBRATION if celebration else NotificationKind.ALERT,
            key=key,
            title=title,
            body=_body(observation, celebration),
            link=observation.link,
        )
        channel_post(
            team_id=observation.team_id,
            event=ChannelEvent.CELEBRATION if celebration else ChannelEvent.ALERT,
            key=key,
            text=f"{title}\n{_absolute(observation.link)}",
        )


def _absolute(path: str) -> str:
    from accounts.emails import absolute_url

    return absolute_url(path)


def _title(observation: Observation, damped: rules.Damped) -> str:
    names = {
        Subject.KEY_RESULT: _("Key result"),
        Subject.OBJECTIVE: _("Objective"),
        Subject.KPI: _("KPI"),
    }
    context = {"what": names[observation.subject], "title": observation.title}
    status = damped.notified_status
    if observation.subject == Subject.KPI:
        if status == KpiStatus.RED:
            return _("%(what)s “%(title)s” turned red") % context
        return _("%(what)s “%(title)s” is back to green") % context
    if status == Status.ACHIEVED:
        return _("%(what)s “%(title)s” is achieved") % context
    if status == Status.OFF_TRACK:
        return _("%(what)s “%(title)s” is off track") % context
    return _("%(what)s “%(title)s” is at risk") % context


def _body(observation: Observation, celebration: bool) -> str:
    if celebration:
        return _("Well done: take a moment to celebrate with the team.")
    return _("The status held for consecutive evaluations; have a look at what needs to change.")
