"""The 10-minute RevOps diagnostic: 25 statements over six areas, each answered on one maturity scale.

The statements and the reasons they matter come from the two RevOps guides the product is built on
(alignment with company priorities, KPI choice and ownership, data collection and quality, review
cadence, tooling, collaboration and celebrating results). Each area also names the OKR templates
(okrs.okr_templates) and catalog KPIs (kpis.catalog) that address it.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    summary: str
    templates: tuple[str, ...]  # OKR template keys
    kpis: tuple[str, ...]  # KPI catalog codes


@dataclass(frozen=True)
class Option:
    key: str
    text: str
    score: int


@dataclass(frozen=True)
class Question:
    key: str
    area: str
    text: str
    why: str


# One scale for every statement: how true is it of your organization today?
OPTIONS = (
    Option("0", _("Not at all"), 0),
    Option("1", _("Rarely, or in one team only"), 1),
    Option("2", _("Partly"), 2),
    Option("3", _("Mostly"), 3),
    Option("4", _("Fully, and it is reviewed"), 4),
)
MAX_SCORE = max(option.score for option in OPTIONS)

AREAS = (
    Area(
        "alignment",
        _("Alignment with company priorities"),
        _("Sales, marketing and customer success work towards the same few company priorities."),
        ("sales_efficiency", "retention_expansion"),
        ("revenue", "win_rate"),
    ),
    Area(
        "kpi_selection",
        _("KPI selection and ownership"),
        _("A short list of relevant, measurable and actionable KPIs, each with an owner and a cadence."),
        ("data_driven",),
        ("profit_margin", "forecast_accuracy"),
    ),
    Area(
        "data_quality",
        _("Data collection and quality"),
        _("Numbers arrive on time from reliable sources and people trust them."),
        ("data_driven",),
        ("data_accuracy",),
    ),
    Area(
        "review_cadence",
        _("Review cadence and data-driven decisions"),
        _("KPIs and OKRs are reviewed regularly, and decisions change because of what they show."),
        ("data_driven", "revops_processes"),
        ("forecast_accuracy",),
    ),
    Area(
        "tooling",
        _("Tooling and automation"),
        _("Reporting and data flows run by themselves, so people spend their time acting on them."),
        ("revops_processes",),
        ("operating_cost", "sales_cycle_days"),
    ),
    Area(
        "collaboration",
        _("Collaboration and celebrating results"),
        _("Teams share goals and information, and successes are recognised."),
        ("retention_expansion", "market_expansion"),
        ("nps", "net_revenue_retention", "lead_conversion_rate"),
    ),
)
AREA_KEYS = tuple(area.key for area in AREAS)
AREAS_BY_KEY = {area.key: area for area in AREAS}

QUESTIONS = (
    # Alignment with company priorities
    Question(
        "priorities_written",
        "alignment",
        _(
            "The company's priorities for this year are written down "
            "and everyone in revenue teams knows them."
        ),
        _("Every objective should be traceable to a company priority; without them, effort spreads thin."),
    ),
    Question(
        "objectives_trace",
        "alignment",
        _("Every objective of sales, marketing and customer success names the company priority it serves."),
        _(
            "An objective that cannot be linked to a business goal is "
            "probably badly defined and diverts resources."
        ),
    ),
    Question(
        "so_what",
        "alignment",
        _("Each objective says which business result it moves (the “so what?” test)."),
        _(
            "Objectives that pass the “so what?” test produce results "
            "that matter, not activity for its own sake."
        ),
    ),
    Question(
        "stakeholders_validate",
        "alignment",
        _("Objectives are validated with the people responsible for them before the quarter starts."),
        _("Without the commitment of those who own them, OKRs are adopted poorly and missed."),
    ),
    Question(
        "shared_funnel",
        "alignment",
        _("Sales, marketing and customer success agree on one definition of the funnel and its stages."),
        _("Shared definitions remove silos: each team's numbers add up to the same revenue story."),
    ),
    # KPI selection and ownership
    Question(
        "kpis_mapped",
        "kpi_selection",
        _("Each KPI we follow is mapped to an objective or a company priority."),
        _("KPIs that are not aligned with business goals measure effort rather than progress."),
    ),
    Question(
        "kpis_few",
        "kpi_selection",
        _("We follow a short list of KPIs in each family: financial, sales, marketing and customer success."),
        _("Too many indicators dilute attention; the relevant ones should be measurable and actionable."),
    ),
    Question(
        "kpis_owned",
        "kpi_selection",
        _("Every KPI has a named owner who can act on it."),
        _("A KPI nobody owns is watched, not improved: ownership makes it actionable."),
    ),
    Question(
        "kpis_targets",
        "kpi_selection",
        _("Every KPI has a target set from our history and an industry benchmark."),
        _("Benchmarks and realistic targets show whether a number is good, not just whether it moved."),
    ),
    # Data collection and quality
    Question(
        "data_sources",
        "data_quality",
        _("Each KPI has a defined data source and a documented way to compute it."),
        _("Reliable data collection is what makes a KPI trustworthy and comparable over time."),
    ),
    Question(
        "data_on_time",
        "data_quality",
        _("Measurements arrive on their cadence (daily, weekly, monthly) without someone chasing them."),
        _("Late data turns monitoring into archaeology: problems are found after they have cost money."),
    ),
    Question(
        "data_audited",
        "data_quality",
        _("CRM and customer data are audited regularly, and their accuracy is measured."),
        _("The guides set data accuracy at 98 % as a key result: decisions are only as good as the records."),
    ),
    Question(
        "data_trusted",
        "data_quality",
        _(
            "Leadership meetings use the numbers as they are, without "
            "arguing about whose spreadsheet is right."
        ),
        _("Trusted data lets leaders invest ahead of demand instead of debating the figures."),
    ),
    # Review cadence and data-driven decisions
    Question(
        "review_regular",
        "review_cadence",
        _("KPIs and OKRs are reviewed in a regular meeting with a fixed cadence."),
        _("Regular reviews catch trends early: which KPIs improve, which worsen and why."),
    ),
    Question(
        "check_ins",
        "review_cadence",
        _("Key result owners report progress at least every two weeks."),
        _("Frequent check-ins keep objectives alive during the quarter, not only at its end."),
    ),
    Question(
        "decisions_change",
        "review_cadence",
        _("Decisions (budget, headcount, campaigns) change because of what the numbers show."),
        _("Data-driven decisions are the point of measuring: a KPI that changes nothing is noise."),
    ),
    Question(
        "kpis_evolve",
        "review_cadence",
        _("We retire or adjust KPIs and targets when goals change."),
        _("As the business evolves, KPIs must evolve with it, or they keep measuring last year's strategy."),
    ),
    # Tooling and automation
    Question(
        "crm_adoption",
        "tooling",
        _("The whole revenue team works in the CRM; activity outside it is the exception."),
        _("The guides aim for 95 % CRM adoption: data that is not captured cannot be measured."),
    ),
    Question(
        "reporting_automated",
        "tooling",
        _("Recurring reports are produced automatically, not assembled by hand."),
        _(
            "Automating manual reporting frees hours for selling and "
            "service, one of the guides' example key results."
        ),
    ),
    Question(
        "dashboards_used",
        "tooling",
        _("Teams use a shared dashboard every week to see their KPIs and OKRs."),
        _("A dashboard everyone uses replaces status meetings with a common view of progress."),
    ),
    Question(
        "tools_trained",
        "tooling",
        _("People are trained on the revenue tools they use."),
        _("Tools only pay off when people know them: training is one of the guides' example key results."),
    ),
    # Collaboration and celebrating results
    Question(
        "cross_team_goals",
        "collaboration",
        _("Sales, marketing and customer success share at least one objective each quarter."),
        _("Shared objectives break down silos and make hand-offs between teams part of the goal."),
    ),
    Question(
        "information_shared",
        "collaboration",
        _("Progress and results are visible to every team, not only to managers."),
        _("Transparency lets each team see how its work contributes to the company's priorities."),
    ),
    Question(
        "problems_acted",
        "collaboration",
        _("When a KPI turns red, the owners meet quickly to find the cause and act."),
        _("Acting quickly on problems, with the cause identified, limits their cost."),
    ),
    Question(
        "successes_celebrated",
        "collaboration",
        _("Successes are celebrated when targets are reached."),
        _("Celebrating results keeps motivation high and shows what good looks like."),
    ),
)
QUESTIONS_BY_KEY = {question.key: question for question in QUESTIONS}
OPTIONS_BY_KEY = {option.key: option for option in OPTIONS}


def questions_of(area_key: str) -> list[Question]:
    return [question for question in QUESTIONS if question.area == area_key]
