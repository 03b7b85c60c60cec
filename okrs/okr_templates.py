"""The OKR guide's five example objectives, three key results each, and the suggested company priorities.

Texts are lazily translated: render them inside `translation.override(organization.language)` when they
are written to the database, so each organization gets them in its own language. Start and target values
are the guide's figures (or plausible ones where the guide leaves them open); the guided start lets an
admin adapt them before anything is created.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.choices import TeamKind
from okrs.choices import KeyResultKind, OutcomeKind, Unit


@dataclass(frozen=True)
class PrioritySuggestion:
    key: str
    title: Promise
    description: Promise


@dataclass(frozen=True)
class KeyResultTemplate:
    key: str
    title: Promise
    kind: str
    unit: str
    start: str
    target: str
    kpi_code: str = ""  # the catalog KPI this key result follows, where one measures it

    @property
    def kind_label(self) -> str:
        return KeyResultKind(self.kind).label


@dataclass(frozen=True)
class ObjectiveTemplate:
    key: str
    title: Promise
    so_what: Promise
    outcome_kind: str
    team_kind: str
    priority_key: str
    key_results: tuple[KeyResultTemplate, ...]


PRIORITIES = (
    PrioritySuggestion(
        "growth",
        _("Growth"),
        _("Grow revenue from new and existing customers, and decide from trusted numbers."),
    ),
    PrioritySuggestion(
        "efficiency",
        _("Efficiency"),
        _("Win more of the pipeline faster, and run revenue processes with less manual work and cost."),
    ),
    PrioritySuggestion(
        "retention",
        _("Retention"),
        _("Keep the customers we win: renewals, satisfaction and lower churn."),
    ),
    PrioritySuggestion(
        "expansion",
        _("Expansion"),
        _("Open new products, regions and partners, and grow what existing customers buy."),
    ),
)
PRIORITY_KEYS = tuple(priority.key for priority in PRIORITIES)

UP, DOWN, KA = KeyResultKind.INCREASE, KeyResultKind.DECREASE, KeyResultKind.KEEP_ABOVE

TEMPLATES = (
    ObjectiveTemplate(
        "sales_efficiency",
        _("Improve sales efficiency"),
        _(
            "Closing more of the existing pipeline in less time raises revenue without raising "
            "acquisition cost."
        ),
        OutcomeKind.EFFICIENCY,
        TeamKind.SALES,
        "efficiency",
        (
            KeyResultTemplate(
                "close_rate", _("Raise the opportunity close rate by 15% (20% to 23%)"), UP, Unit.PERCENT,
                "20", "23", kpi_code="win_rate",
            ),
            KeyResultTemplate(
                "sales_cycle", _("Shorten the average sales cycle by 10 days"), DOWN, Unit.DAYS, "62", "52",
                kpi_code="sales_cycle_days",
            ),
            KeyResultTemplate(
                "crm_adoption", _("Reach 95% CRM adoption across the sales team"), UP, Unit.PERCENT,
                "40", "95",
            ),
        ),
    ),
    ObjectiveTemplate(
        "retention_expansion",
        _("Grow customer retention and expansion"),
        _(
            "Every retained and expanded account compounds recurring revenue at a fraction of a new "
            "one's cost."
        ),
        OutcomeKind.RETENTION,
        TeamKind.CUSTOMER_SUCCESS,
        "retention",
        (
            KeyResultTemplate(
                "retention_rate", _("Reach a 90% customer retention rate"), UP, Unit.PERCENT, "84", "90",
                kpi_code="renewal_rate",
            ),
            KeyResultTemplate(
                "upsell_revenue", _("Grow upsell and cross-sell revenue by 20%"), UP, Unit.CURRENCY,
                "500000", "600000",
            ),
            KeyResultTemplate(
                "feedback_response", _("Get a 50% response rate on customer feedback surveys"), UP,
                Unit.PERCENT, "18", "50",
            ),
        ),
    ),
    ObjectiveTemplate(
        "revops_processes",
        _("Optimize RevOps processes"),
        _("Hours freed from manual reporting and lower operating cost go back into selling and service."),
        OutcomeKind.EFFICIENCY,
        TeamKind.REVOPS,
        "efficiency",
        (
            KeyResultTemplate(
                "reporting_automation", _("Automate 30% of manual reporting tasks"), UP, Unit.PERCENT,
                "0", "30",
            ),
            KeyResultTemplate(
                "operating_cost", _("Cut operating costs by 10% at the same service quality"), DOWN,
                Unit.CURRENCY, "1200000", "1080000",
            ),
            KeyResultTemplate(
                "tools_training", _("100% of the team completes the new RevOps tools training"), UP,
                Unit.PERCENT, "0", "100",
            ),
        ),
    ),
    ObjectiveTemplate(
        "data_driven",
        _("Strengthen data-driven decisions"),
        _("Accurate forecasts and trusted data let leadership invest ahead of demand, not react to it."),
        OutcomeKind.GROWTH,
        TeamKind.FINANCE,
        "growth",
        (
            KeyResultTemplate(
                "forecast_accuracy", _("Improve sales forecast accuracy by 25% (68% to 85%)"), UP,
                Unit.PERCENT, "68", "85", kpi_code="forecast_accuracy",
            ),
            KeyResultTemplate(
                "dashboard_usage", _("100% of sales uses the analytics dashboard every week"), UP,
                Unit.PERCENT, "10", "100",
            ),
            KeyResultTemplate(
                "data_accuracy", _("Keep data accuracy in sales and customer systems at 98% or more"), KA,
                Unit.PERCENT, "96", "98", kpi_code="data_accuracy",
            ),
        ),
    ),
    ObjectiveTemplate(
        "market_expansion",
        _("Expand market reach and revenue sources"),
        _("New products, regions and partners reduce dependence on one market and open new revenue streams."),
        OutcomeKind.EXPANSION,
        TeamKind.MARKETING,
        "expansion",
        (
            KeyResultTemplate(
                "product_lines", _("Two new product lines add 15% to total revenue"), UP, Unit.PERCENT,
                "0", "15",
            ),
            KeyResultTemplate(
                "new_regions", _("Enter two new geographic regions"), UP, Unit.NUMBER, "0", "2"
            ),
            KeyResultTemplate(
                "partnerships", _("Sign three new strategic partnerships"), UP, Unit.NUMBER, "0", "3"
            ),
        ),
    ),
)  # fmt: skip
TEMPLATE_KEYS = tuple(template.key for template in TEMPLATES)
BY_KEY = {template.key: template for template in TEMPLATES}


def template_get(key: str) -> ObjectiveTemplate:
    """The template of this key; KeyError for an unknown one."""
    return BY_KEY[key]


def priority_suggestion_get(key: str) -> PrioritySuggestion:
    return next(priority for priority in PRIORITIES if priority.key == key)


def quarter_of(today: date, fiscal_year_start_month: int = 1) -> tuple[str, date, date]:
    """The quarter of `today` in a fiscal year starting on the first of `fiscal_year_start_month`: its name
    in the active language, first and last day. Calendar years give "Q4 2026"; a fiscal year is named by
    the calendar year it ends in: with a year starting in July, 24 November 2026 is in "Q2 FY2027"."""
    quarter = (today.month - fiscal_year_start_month) % 12 // 3 + 1
    first_month = (fiscal_year_start_month - 1 + 3 * (quarter - 1)) % 12 + 1
    start = date(today.year if first_month <= today.month else today.year - 1, first_month, 1)
    next_month = first_month + 3
    next_start = date(start.year + (next_month > 12), (next_month - 1) % 12 + 1, 1)
    if fiscal_year_start_month == 1:
        name = _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": today.year}
    else:
        year_start = today.year if today.month >= fiscal_year_start_month else today.year - 1
        name = _("Q%(quarter)s FY%(year)s") % {"quarter": quarter, "year": year_start + 1}
    return str(name), start, next_start - timedelta(days=1)
