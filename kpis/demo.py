"""Demo KPIs for Acme RevOps: the catalog, a year of daily measurements, and key results that follow KPIs.

Idempotent and quick: measurements are generated only when the organization has none from the demo,
written with one bulk insert, and aggregated by the set-based recomputation.
"""

import math
import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation

from accounts.choices import Role, TeamKind
from accounts.models import Organization, Team
from common.timezones import zone_or_utc
from kpis import services
from kpis.choices import MeasurementSource
from kpis.models import Kpi, Measurement
from kpis.services.catalog import catalog_load
from kpis.services.ingestion import CleanRow, measurements_store
from okrs import okr_templates
from okrs import services as okr_services
from okrs.choices import KpiWindow
from okrs.models import KeyResult, Priority

DAYS = 365

# Targets and thresholds (target, warning, critical) of the KPIs the demo shows with a status.
THRESHOLDS = {
    "win_rate": ("23", "21", "18"),
    "sales_cycle_days": ("52", "58", "65"),
    "forecast_accuracy": ("85", "75", "65"),
    "renewal_rate": ("90", "86", "80"),
    "data_accuracy": ("98", "97.5", "96"),
    "churn_rate": ("1", "1.5", "2.5"),
    "profit_margin": ("25", "20", "10"),
    "cac": ("3500", "4500", "6000"),
    "net_revenue_retention": ("110", "104", "98"),
    "nps": ("45", "35", "20"),
    "roi": ("60", "50", "30"),
    "romi": ("250", "200", "120"),
    "lead_conversion_rate": ("30", "25", "18"),
    "average_deal_value": ("16000", "14500", "12000"),
}
# KPI family -> the kind of the demo team that owns its KPIs.
TEAMS = {
    "financial": TeamKind.FINANCE,
    "sales": TeamKind.SALES,
    "marketing": TeamKind.MARKETING,
    "customer_success": TeamKind.CUSTOMER_SUCCESS,
    "operations": TeamKind.REVOPS,
}
# KPI family -> the order of the demo priority it serves (okrs.demo.PRIORITIES).
PRIORITIES = {
    "sales": 0,
    "customer_success": 1,
    "operations": 2,
    "financial": 3,
    "marketing": 4,
}


def _links(organization: Organization) -> dict[str, str]:
    """Key result title (in the organization's language) -> the catalog KPI it follows."""
    with translation.override(organization.language):
        return {
            str(kr.title): kr.kpi_code
            for template in okr_templates.TEMPLATES
            for kr in template.key_results
            if kr.kpi_code
        }


@transaction.atomic
def demo_kpis_load(organization: Organization) -> None:
    """Catalog, targets, owners, a year of measurements, KPI-linked key results, then a recomputation."""
    catalog_load(organization=organization)
    kpis = {kpi.code: kpi for kpi in Kpi.objects.for_organization(organization)}
    _describe(organization, kpis)
    if not Measurement.objects.filter(organization=organization, source=MeasurementSource.DEMO).exists():
        rows = _measurements(organization, kpis)
        measurements_store(organization=organization, rows=rows, source=MeasurementSource.DEMO)
    _link_key_results(organization, kpis)
    services.kpi_recompute(organization_id=organization.pk)


def _describe(organization: Organization, kpis: dict[str, Kpi]) -> None:
    teams = {team.kind: team for team in Team.objects.filter(organization=organization).order_by("-pk")}
    priorities = {p.order: p for p in Priority.objects.filter(organization=organization).order_by("-pk")}
    owner = organization.memberships.filter(role=Role.ADMIN).select_related("user").first()
    for code, kpi in kpis.items():
        if kpi.team_id is not None:
            continue
        fields = {"team": teams.get(TEAMS[kpi.family]), "owner": owner.user if owner else None}
        if code in THRESHOLDS:
            target, warning, critical = (Decimal(v) for v in THRESHOLDS[code])
            fields.update(target=target, warning_threshold=warning, critical_threshold=critical)
        priority = priorities.get(PRIORITIES[kpi.family])
        if priority is not None:
            fields["priorities"] = [priority]
        services.kpi_update(kpi=kpi, **fields)


def _generators(rng: random.Random) -> dict[str, Callable[[int, float, bool], list[float]]]:
    """Per KPI code: (day index, seasonality, weekday?) -> the day's measurements."""

    def count(mean: float) -> int:
        return max(0, round(rng.gauss(mean, math.sqrt(max(mean, 1)))))

    state = {"customers": 820.0}

    def customers(day, season, weekday):
        state["customers"] += rng.uniform(0.2, 1.4) * season - rng.uniform(0.1, 0.9)
        return [round(state["customers"])]

    closed_today, due_today = {}, {}

    def deals_closed(day, season, weekday):
        closed_today[day] = count(10 * season) if weekday else count(1)
        return [closed_today[day]]

    def renewals_due(day, season, weekday):
        due_today[day] = count(5) if weekday else 0
        return [due_today[day]]

    def renewals_won(day, season, weekday):
        rate = 0.84 + 0.05 * day / DAYS
        return [sum(rng.random() < rate for _ in range(due_today.get(day, 0)))]

    def deals_won(day, season, weekday):
        rate = 0.19 + 0.03 * day / DAYS
        return [sum(rng.random() < rate for _ in range(closed_today.get(day, 0)))]

    return {
        "revenue": lambda d, s, w: [rng.gauss(42000, 4000) * s * (1 + 0.2 * d / DAYS) * (1 if w else 0.15)],
        "operating_cost": lambda d, s, w: [rng.gauss(30000, 2000) * (1 + d / DAYS / 20) * (1 if w else 0.4)],
        "deals_closed": deals_closed,
        "deals_won": deals_won,
        "bookings": lambda d, s, w: [rng.gauss(12000, 3000) * s for _ in range(count(2.2 * s) if w else 0)],
        "opportunities": lambda d, s, w: [count(14 * s) if w else count(1)],
        "sales_cycle_days": lambda d, s, w: [max(7, rng.gauss(63 - 9 * d / DAYS, 10)) for _ in range(3 * w)],
        "forecast_accuracy": lambda d, s, w: [min(99, rng.gauss(68 + 12 * d / DAYS, 2.5))],
        "leads": lambda d, s, w: [count(60 * s) if w else count(8)],
        "marketing_spend": lambda d, s, w: [rng.gauss(8000, 1200) * s],
        "new_customers": lambda d, s, w: [count(2.0 * s) if w else 0],
        "active_customers": customers,
        "churned_customers": lambda d, s, w: [count(0.45)],
        "net_revenue_retention": lambda d, s, w: [rng.gauss(103 + 4 * d / DAYS, 0.8)],
        "nps": lambda d, s, w: [max(-100, min(100, rng.gauss(32 + 8 * d / DAYS, 12))) for _ in range(2)],
        "renewals_due": renewals_due,
        "renewals_won": renewals_won,
        "data_accuracy": lambda d, s, w: [min(100, rng.gauss(97.2 + 1.2 * d / DAYS, 0.4))],
    }  # fmt: skip


def _measurements(organization: Organization, kpis: dict[str, Kpi]) -> list[CleanRow]:
    """A year of daily measurements ending today: yearly seasonality (a December peak), a slow upward
    trend, quieter weekends and noise. Seeded, so every demo looks the same."""
    rng = random.Random(20260101)
    zone = zone_or_utc(organization.time_zone)
    today = timezone.now().astimezone(zone).date()
    generators = _generators(rng)
    rows = []
    for index in range(DAYS):
        day = today - timedelta(days=DAYS - 1 - index)
        season = 1 + 0.15 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 350) / 365)
        weekday = day.weekday() < 5
        for code, generate in generators.items():
            kpi = kpis.get(code)
            if kpi is None or kpi.formula:
                continue
            for value in generate(index, season, weekday):
                moment = datetime.combine(day, time(9 + rng.randint(0, 8), rng.randint(0, 59)), zone)
                rows.append(
                    CleanRow(
                        row=len(rows),
                        kpi_id=kpi.pk,
                        timestamp=min(moment, timezone.now()),
                        value=Decimal(str(round(value, 2))),
                        idempotency_key=None,
                        note="",
                    )
                )
    return rows


def _link_key_results(organization: Organization, kpis: dict[str, Kpi]) -> None:
    links = _links(organization)
    key_results = KeyResult.objects.for_organization(organization).filter(title__in=links, kpi__isnull=True)
    for key_result in key_results.select_related("objective__cycle"):
        kpi = kpis.get(links[key_result.title])
        if kpi is None:
            continue
        okr_services.key_result_update(key_result=key_result, kpi=kpi, kpi_window=KpiWindow.LATEST_PERIOD)
        kpi.objectives.add(key_result.objective)
