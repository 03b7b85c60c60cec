"""Initiatives and the before/during comparison of the KPIs they are meant to move."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization
from common.timezones import zone_or_utc
from insights import rules
from insights.models import Initiative, InitiativeImpact
from insights.services._checks import check_member, check_same_organization
from kpis.models import KpiValue

USUAL_HISTORY = timedelta(days=400)
EDITABLE = ["title", "description", "owner", "team", "start", "end"]
RELATIONS = ["key_results", "kpis"]
IMPACT_FIELDS = [
    "before_start",
    "until",
    "before",
    "during",
    "before_periods",
    "during_periods",
    "change",
    "usual_variation",
    "verdict",
]


def _save(initiative: Initiative, relations: dict) -> Initiative:
    organization = initiative.organization
    initiative.full_clean(exclude=["organization"])
    check_member(initiative.owner, organization=organization)
    if initiative.team_id:
        check_same_organization([initiative.team], organization=organization, field="team")
    for name, items in relations.items():
        check_same_organization(list(items), organization=organization, field=name)
    initiative.save()
    for name, items in relations.items():
        getattr(initiative, name).set(items)
    impacts_refresh(organization=organization, initiative_ids=[initiative.pk])
    return initiative


@transaction.atomic
def initiative_create(*, organization: Organization, **fields) -> Initiative:
    """Create an initiative; its linked KPIs are compared before it returns."""
    relations = {name: fields.pop(name) for name in RELATIONS if name in fields}
    _check_fields(fields)
    return _save(Initiative(organization=organization, **fields), relations)


@transaction.atomic
def initiative_update(*, initiative: Initiative, **fields) -> Initiative:
    relations = {name: fields.pop(name) for name in RELATIONS if name in fields}
    _check_fields(fields)
    for name, value in fields.items():
        setattr(initiative, name, value)
    return _save(initiative, relations)


@transaction.atomic
def initiative_delete(*, initiative: Initiative) -> None:
    initiative.delete()


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"Not editable fields of an initiative: {', '.join(sorted(unknown))}")


@transaction.atomic
def impacts_refresh(*, organization: Organization, initiative_ids=None, now: datetime | None = None) -> int:
    """Compare every linked KPI of these initiatives (all of the organization's when None) over equal
    windows before and during each; only rows that differ are written. Returns the rows written."""
    now = now or timezone.now()
    today = timezone.localtime(now, zone_or_utc(organization.time_zone)).date()
    initiatives = Initiative.objects.filter(organization=organization).prefetch_related("kpis")
    if initiative_ids is not None:
        initiatives = initiatives.filter(pk__in=initiative_ids)
    initiatives = list(initiatives)
    pairs = [(initiative, kpi) for initiative in initiatives for kpi in initiative.kpis.all()]
    periods = _periods(initiatives, pairs, today)
    wanted = {}
    for initiative, kpi in pairs:
        span = rules.windows(start=initiative.start, end=initiative.end, today=today)
        if span is not None:
            result = rules.compare(periods[kpi.pk], cadence=kpi.cadence, direction=kpi.direction, span=span)
            wanted[(initiative, kpi)] = _impact_values(span, result)
    return _write(initiatives, wanted, now)


def _periods(initiatives, pairs, today) -> dict[int, list]:
    """The linked KPIs' period values (start, value, in progress) as far back as the comparisons read."""
    periods = defaultdict(list)
    if not pairs:
        return periods
    since = min(initiative.start for initiative in initiatives)
    # The longest before window, and a year more for the usual variation.
    earliest = since - max(today - since, timedelta(0)) - USUAL_HISTORY
    rows = KpiValue.objects.filter(kpi_id__in={kpi.pk for _, kpi in pairs}, period_start__gte=earliest)
    for kpi_id, start, value, in_progress in rows.order_by("period_start").values_list(
        "kpi_id", "period_start", "value", "in_progress"
    ):
        periods[kpi_id].append((start, value, in_progress))
    return periods


def _impact_values(span, result) -> dict:
    return {
        "before_start": span.before_start,
        "until": span.until,
        "before": result.before,
        "during": result.during,
        "before_periods": result.before_periods,
        "during_periods": result.during_periods,
        "change": result.change,
        "usual_variation": result.usual_variation,
        "verdict": result.verdict,
    }


def _write(initiatives, wanted: dict, now) -> int:
    """Create, update and delete impact rows so that they are exactly `wanted`; only differences written."""
    stored = {
        (row.initiative_id, row.kpi_id): row
        for row in InitiativeImpact.objects.filter(
            initiative__in=[initiative.pk for initiative in initiatives]
        )
    }
    created, updated = [], []
    for (initiative, kpi), values in wanted.items():
        row = stored.get((initiative.pk, kpi.pk))
        if row is None:
            created.append(InitiativeImpact(initiative=initiative, kpi=kpi, computed_at=now, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.computed_at = now
            updated.append(row)
    keys = {(initiative.pk, kpi.pk) for initiative, kpi in wanted}
    stale = [row.pk for key, row in stored.items() if key not in keys]
    InitiativeImpact.objects.filter(pk__in=stale).delete()
    InitiativeImpact.objects.bulk_create(created)
    InitiativeImpact.objects.bulk_update(updated, [*IMPACT_FIELDS, "computed_at"])
    return len(created) + len(updated) + len(stale)
