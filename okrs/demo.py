"""The demo organization: Acme RevOps, its teams, people, priorities and this quarter's OKRs.

Idempotent: every row is looked up by its natural key before it is created, and the check-in
history is written only for key results that have none.
"""

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role, TeamKind
from accounts.models import Membership, Organization, Team
from kpis.demo import demo_kpis_load
from okrs import services
from okrs.choices import CheckInSource, CycleState, KeyResultKind, ObjectiveState, OutcomeKind, Unit
from okrs.models import Cycle, KeyResult, KeyResultSnapshot, Objective, ObjectiveSnapshot, Priority
from okrs.services.progress import figures_apply, snapshot_rows

DEMO_SLUG = "acme-revops"
DEMO_USERS = [
    ("demo-admin", Role.ADMIN, "Ana", "Admin"),
    ("demo-editor", Role.EDITOR, "Eli", "Editor"),
    ("demo-viewer", Role.VIEWER, "Vic", "Viewer"),
]
TEAMS = [
    ("Sales", TeamKind.SALES),
    ("Marketing", TeamKind.MARKETING),
    ("Customer Success", TeamKind.CUSTOMER_SUCCESS),
    ("Finance", TeamKind.FINANCE),
    ("RevOps", TeamKind.REVOPS),
]
PRIORITIES = [
    ("Sales efficiency", "Win more of the pipeline we already have, faster."),
    ("Customer retention and expansion", "Keep the customers we win and grow what they buy."),
    ("Operational excellence", "Run revenue processes with less manual work and lower cost."),
    ("Data-driven decisions", "Decide from trusted numbers, not anecdotes."),
    ("Market expansion", "Open new products, regions and partners as sources of revenue."),
]


@dataclass(frozen=True)
class DemoKeyResult:
    title: str
    kind: str
    unit: str
    start: str
    target: str
    pace: float  # how far along the expected line the history runs: >1 ahead, <1 behind
    last_check_in_days_ago: int = 2


# The five example objectives of the OKR guide, with three key results each.
OBJECTIVES = [
    (
        "Improve sales efficiency",
        "Sales",
        0,
        OutcomeKind.EFFICIENCY,
        "Closing more of the existing pipeline in less time raises revenue without raising acquisition cost.",
        [
            DemoKeyResult(
                "Raise the opportunity close rate by 15% (20% to 23%)",
                KeyResultKind.INCREASE,
                Unit.PERCENT,
                "20",
                "23",
                1.05,
            ),
            DemoKeyResult(
                "Shorten the average sales cycle by 10 days",
                KeyResultKind.DECREASE,
                Unit.DAYS,
                "62",
                "52",
                0.75,
            ),
            DemoKeyResult(
                "Reach 95% CRM adoption across the sales team",
                KeyResultKind.INCREASE,
                Unit.PERCENT,
                "40",
                "95",
                1.1,
            ),
        ],
    ),
    (
        "Grow customer retention and expansion",
        "Customer Success",
        1,
        OutcomeKind.RETENTION,
        "Every retained and expanded account compounds recurring revenue at a fraction of a new one's cost.",
        [
            DemoKeyResult(
                "Reach a 90% customer retention rate", KeyResultKind.INCREASE, Unit.PERCENT, "84", "90", 0.9
            ),
            DemoKeyResult(
                "Grow upsell and cross-sell revenue by 20%",
                KeyResultKind.INCREASE,
                Unit.CURRENCY,
                "500000",
                "600000",
                0.45,
            ),
            DemoKeyResult(
                "Get a 50% response rate on customer feedback surveys",
                KeyResultKind.INCREASE,
                Unit.PERCENT,
                "18",
                "50",
                0.6,
                last_check_in_days_ago=20,
            ),
        ],
    ),
    (
        "Optimize RevOps processes",
        "RevOps",
        2,
        OutcomeKind.EFFICIENCY,
        "Hours freed from manual reporting and lower operating cost go back into selling and service.",
        [
            DemoKeyResult(
                "Automate 30% of manual reporting tasks", KeyResultKind.INCREASE, Unit.PERCENT, "0", "30", 1.2
            ),
            DemoKeyResult(
                "Cut operating costs by 10% at the same service quality",
                KeyResultKind.DECREASE,
                Unit.CURRENCY,
                "1200000",
                "1080000",
                0.85,
            ),
            DemoKeyResult(
                "100% of the team completes the new RevOps tools training",
                KeyResultKind.INCREASE,
                Unit.PERCENT,
                "0",
                "100",
                1.0,
            ),
        ],
    ),
    (
        "Strengthen data-driven decisions",
        "Finance",
        3,
        OutcomeKind.GROWTH,
        "Accurate forecasts and trusted data let leadership invest ahead of demand, not react to it.",
        [
            DemoKeyResult(
                "Improve sales forecast accuracy by 25% (68% to 85%)",
                KeyResultKind.INCREASE,
                Unit.PERCENT,
                "68",
                "85",
                0.95,
            ),
            DemoKeyResult(
                "100% of sales uses the analytics dashboard every week",
                KeyResultKind.INCREASE,
                Unit.PERCENT,
                "10",
                "100",
                0.3,
            ),
            DemoKeyResult(
                "Keep data accuracy in sales and customer systems at 98% or more",
                KeyResultKind.KEEP_ABOVE,
                Unit.PERCENT,
                "96",
                "98",
                1.0,
            ),
        ],
    ),
    (
        "Expand market reach and revenue sources",
        "Marketing",
        4,
        OutcomeKind.EXPANSION,
        "New products, regions and partners reduce dependence on one market and open new revenue streams.",
        [
            DemoKeyResult(
                "Two new product lines add 15% to total revenue",
                KeyResultKind.INCREASE,
                Unit.PERCENT,
                "0",
                "15",
                0.5,
            ),
            DemoKeyResult(
                "Enter two new geographic regions",
                KeyResultKind.INCREASE,
                Unit.NUMBER,
                "0",
                "2",
                0.0,
                last_check_in_days_ago=-1,
            ),
            DemoKeyResult(
                "Sign three new strategic partnerships", KeyResultKind.INCREASE, Unit.NUMBER, "0", "3", 0.7
            ),
        ],
    ),
]


@dataclass
class DemoResult:
    organization: Organization
    passwords: dict[str, str]
    created: bool


def current_quarter(today: date) -> tuple[str, date, date]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    next_start = date(today.year + (first_month == 10), (first_month + 3 - 1) % 12 + 1, 1)
    return f"Q{(first_month - 1) // 3 + 1} {today.year}", start, next_start - timedelta(days=1)


@transaction.atomic
def demo_load(*, password: str | None = None) -> DemoResult:
    """Create or complete the demo organization. Passwords are set for new users, or for all when given."""
    organization, created = Organization.objects.get_or_create(
        slug=DEMO_SLUG, defaults={"name": "Acme RevOps", "currency": "USD", "fiscal_year_start_month": 1}
    )
    passwords = _users(organization, password)
    users = {m.user.username: m.user for m in organization.memberships.select_related("user")}
    teams = {
        name: Team.objects.get_or_create(organization=organization, name=name, defaults={"kind": kind})[0]
        for name, kind in TEAMS
    }
    priorities = [
        Priority.objects.get_or_create(
            organization=organization,
            title=title,
            defaults={"description": text, "order": index, "owner": users["demo-admin"]},
        )[0]
        for index, (title, text) in enumerate(PRIORITIES)
    ]
    name, start, end = current_quarter(timezone.localdate())
    cycle, _ = Cycle.objects.get_or_create(
        organization=organization,
        name=name,
        defaults={"start": start, "end": end, "state": CycleState.ACTIVE},
    )
    with services.refresh_once():
        for position, (title, team, priority, outcome, so_what, key_results) in enumerate(OBJECTIVES):
            objective = Objective.objects.filter(
                cycle=cycle, title=title
            ).first() or services.objective_create(
                cycle=cycle,
                title=title,
                so_what=so_what,
                outcome_kind=outcome,
                owner=users["demo-admin"],
                team=teams[team],
                priority=priorities[priority],
                state=ObjectiveState.ACTIVE,
                position=position,
            )
            for kr_position, spec in enumerate(key_results):
                _key_result(objective, spec, kr_position, owner=users["demo-editor"])
        demo_kpis_load(organization)
    services.progress_recompute(organization_id=organization.pk)
    _backfill_snapshots(cycle)
    return DemoResult(organization=organization, passwords=passwords, created=created)


def _users(organization: Organization, password: str | None) -> dict[str, str]:
    User = get_user_model()
    passwords = {}
    for username, role, first, last in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@acme.example",
                "is_staff": role == Role.ADMIN,
            },
        )
        if created or password:
            passwords[username] = password or secrets.token_urlsafe(12)
            user.set_password(passwords[username])
            user.save()
        Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": role})
    return passwords


def _key_result(objective: Objective, spec: DemoKeyResult, position: int, *, owner) -> KeyResult:
    key_result = KeyResult.objects.filter(objective=objective, title=spec.title).first()
    if key_result is None:
        key_result = services.key_result_create(
            objective=objective,
            title=spec.title,
            owner=owner,
            kind=spec.kind,
            unit=spec.unit,
            start_value=Decimal(spec.start),
            target_value=Decimal(spec.target),
            position=position,
        )
    if not key_result.check_ins.exists():
        _history(key_result, spec, author=owner)
    return key_result


def _history(key_result: KeyResult, spec: DemoKeyResult, *, author) -> None:
    """Weekly check-ins from the cycle start that follow the spec's pace, with some noise."""
    if spec.last_check_in_days_ago < 0:
        return  # a key result nobody has checked in yet: "not started"
    cycle = key_result.objective.cycle
    today = timezone.localdate()
    last_day = today - timedelta(days=spec.last_check_in_days_ago)
    rng = random.Random(f"{key_result.title}")
    start, target = Decimal(spec.start), Decimal(spec.target)
    days = [cycle.start + timedelta(days=d) for d in range(6, (last_day - cycle.start).days + 1, 7)] + [
        last_day
    ]
    length = (cycle.end - cycle.start).days + 1
    for day in sorted(set(d for d in days if cycle.start <= d <= last_day)):
        if spec.kind == KeyResultKind.KEEP_ABOVE:
            value = target + Decimal(str(round(rng.uniform(0.1, 1.2), 2)))
        else:
            share = min(spec.pace * ((day - cycle.start).days + 1) / length * rng.uniform(0.92, 1.05), 1.05)
            # Counts (regions, partnerships) move in whole steps; rates and amounts in hundredths.
            step = Decimal(1) if spec.unit == Unit.NUMBER else Decimal("0.01")
            value = (start + (target - start) * Decimal(str(round(share, 4)))).quantize(step, ROUND_FLOOR)
        moment = timezone.make_aware(datetime.combine(day, time(9 + rng.randint(0, 8), rng.randint(0, 59))))
        moment = min(moment, timezone.now() - timedelta(minutes=1))
        services.check_in_create(
            key_result=key_result,
            value=value,
            confidence=max(1, min(10, round(5 + 4 * (spec.pace - 0.7)))),
            note=rng.choice(["Weekly update.", "Pipeline review.", "Numbers from the CRM.", "", "On plan."]),
            author=author,
            source=CheckInSource.MANUAL,
            checked_in_at=moment,
        )


def _backfill_snapshots(cycle: Cycle) -> None:
    """Daily snapshots from the cycle start to yesterday, replayed from the check-in history.

    The recomputation writes one snapshot a day from now on; the demo also needs the days before it
    existed so that trend charts have a history. Each day applies the recomputation's own rules to the
    values known at the end of that day; nothing is saved but the snapshots, and existing rows are kept.
    """
    objectives = list(cycle.objectives.prefetch_related("key_results__check_ins"))
    objective_rows, kr_rows = [], []
    day = cycle.start
    while day < min(timezone.localdate(), cycle.end + timedelta(days=1)):
        end_of_day = timezone.make_aware(datetime.combine(day, time.max))
        for objective in objectives:
            key_results = list(objective.key_results.all())
            for kr in key_results:
                done = [c for c in kr.check_ins.all() if c.checked_in_at <= end_of_day]
                last = max(done, key=lambda c: c.checked_in_at, default=None)
                kr.current_value = last.value if last else kr.start_value
                kr.last_check_in_at = last.checked_in_at if last else None
        figures_apply(cycle, objectives, now=end_of_day)
        day_objectives, day_key_results = snapshot_rows(objectives, day=day)
        objective_rows += day_objectives
        kr_rows += day_key_results
        day += timedelta(days=1)
    KeyResultSnapshot.objects.bulk_create(kr_rows, ignore_conflicts=True, batch_size=1000)
    ObjectiveSnapshot.objects.bulk_create(objective_rows, ignore_conflicts=True, batch_size=1000)
