"""A reusable catalog of RevOps KPIs in four families (plus operations), loadable into any organization.

Derived KPIs are formulas over measured ones of the same cadence. Benchmarks are given only where a
widely quoted public figure exists, and are rough orientation, not a standard.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kpis import formulas
from kpis.choices import Aggregation as A
from kpis.choices import Cadence as C
from kpis.choices import Direction
from kpis.choices import Family as F
from kpis.choices import KpiUnit as U

HI, LO = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER


@dataclass(frozen=True)
class CatalogKpi:
    code: str
    name: Promise
    family: str
    unit: str
    direction: str
    cadence: str
    aggregation: str
    description: Promise  # the definition
    formula: str = ""
    benchmark: str | None = None

    @property
    def unit_label(self) -> str:
        return U(self.unit).label

    @property
    def direction_label(self) -> str:
        return Direction(self.direction).label

    @property
    def cadence_label(self) -> str:
        return C(self.cadence).label

    @property
    def templates(self) -> tuple[str, ...]:
        """The OKR templates (okrs.okr_templates keys) whose objectives this KPI measures."""
        return SERVES[self.code][0]

    @property
    def priorities(self) -> tuple[str, ...]:
        """The suggested company priorities (okrs.okr_templates priority keys) this KPI serves."""
        return SERVES[self.code][1]

    @property
    def inputs(self) -> tuple[str, ...]:
        """The codes this KPI's formula reads (empty for a measured KPI)."""
        return tuple(sorted(formulas.references(formulas.parse(self.formula)))) if self.formula else ()


CATALOG = [
    # Financial
    CatalogKpi("revenue", _("Revenue"), F.FINANCIAL, U.CURRENCY, HI, C.MONTHLY, A.SUM,
               _("Recognized revenue of the period.")),
    CatalogKpi("operating_cost", _("Operating cost"), F.FINANCIAL, U.CURRENCY, LO, C.MONTHLY, A.SUM,
               _("Cost of running sales, marketing and customer success in the period.")),
    CatalogKpi("profit_margin", _("Profit margin"), F.FINANCIAL, U.PERCENT, HI, C.MONTHLY, A.LAST,
               _("Share of revenue left after operating cost."),
               formula="100 * (revenue - operating_cost) / revenue"),
    CatalogKpi("roi", _("Return on investment"), F.FINANCIAL, U.PERCENT, HI, C.MONTHLY, A.LAST,
               _("Revenue gained per unit of operating cost, net of that cost."),
               formula="100 * (revenue - operating_cost) / operating_cost"),
    # Sales
    CatalogKpi("deals_closed", _("Deals closed"), F.SALES, U.NUMBER, HI, C.MONTHLY, A.SUM,
               _("Opportunities closed in the period, won or lost.")),
    CatalogKpi("deals_won", _("Deals won"), F.SALES, U.NUMBER, HI, C.MONTHLY, A.SUM,
               _("Opportunities closed as won in the period.")),
    CatalogKpi("bookings", _("New bookings"), F.SALES, U.CURRENCY, HI, C.MONTHLY, A.SUM,
               _("Contract value of the deals won in the period.")),
    CatalogKpi("win_rate", _("Win rate"), F.SALES, U.PERCENT, HI, C.MONTHLY, A.LAST,
               _("Share of closed deals that were won."), formula="100 * deals_won / deals_closed",
               benchmark="20"),
    CatalogKpi("average_deal_value", _("Average deal value"), F.SALES, U.CURRENCY, HI, C.MONTHLY,
               A.LAST, _("Bookings per deal won."), formula="bookings / deals_won"),
    CatalogKpi("opportunities", _("Opportunities created"), F.SALES, U.NUMBER, HI, C.WEEKLY, A.SUM,
               _("Qualified opportunities created in the period.")),
    CatalogKpi("sales_cycle_days", _("Sales cycle length"), F.SALES, U.DAYS, LO, C.MONTHLY,
               A.AVERAGE, _("Days from opportunity creation to close, averaged over the deals closed.")),
    CatalogKpi("forecast_accuracy", _("Forecast accuracy"), F.SALES, U.PERCENT, HI, C.MONTHLY,
               A.LAST, _("100% minus the relative error of the period's forecast against actual bookings.")),
    # Marketing
    CatalogKpi("leads", _("Leads generated"), F.MARKETING, U.NUMBER, HI, C.WEEKLY, A.SUM,
               _("New marketing-qualified leads.")),
    CatalogKpi("lead_conversion_rate", _("Lead-to-opportunity conversion"), F.MARKETING, U.PERCENT,
               HI, C.WEEKLY, A.LAST, _("Share of leads that became opportunities."),
               formula="100 * opportunities / leads"),
    CatalogKpi("marketing_spend", _("Marketing spend"), F.MARKETING, U.CURRENCY, LO, C.MONTHLY, A.SUM,
               _("Programs, media and tools spent on acquisition.")),
    CatalogKpi("new_customers", _("New customers"), F.MARKETING, U.NUMBER, HI, C.MONTHLY, A.SUM,
               _("Customers who signed their first contract in the period.")),
    CatalogKpi("cac", _("Customer acquisition cost"), F.MARKETING, U.CURRENCY, LO, C.MONTHLY, A.LAST,
               _("Marketing spend per new customer."), formula="marketing_spend / new_customers"),
    CatalogKpi("romi", _("Return on marketing investment"), F.MARKETING, U.PERCENT, HI, C.MONTHLY,
               A.LAST, _("Bookings gained per unit of marketing spend, net of that spend."),
               formula="100 * (bookings - marketing_spend) / marketing_spend"),
    # Customer success
    CatalogKpi("active_customers", _("Active customers"), F.CUSTOMER_SUCCESS, U.NUMBER, HI,
               C.MONTHLY, A.LAST, _("Customers with a live contract at the end of the period.")),
    CatalogKpi("churned_customers", _("Churned customers"), F.CUSTOMER_SUCCESS, U.NUMBER, LO,
               C.MONTHLY, A.SUM, _("Customers whose contract ended without renewal.")),
    CatalogKpi("churn_rate", _("Customer churn rate"), F.CUSTOMER_SUCCESS, U.PERCENT, LO, C.MONTHLY,
               A.LAST, _("Share of customers lost in the period."),
               formula="100 * churned_customers / active_customers", benchmark="5"),
    CatalogKpi("net_revenue_retention", _("Net revenue retention"), F.CUSTOMER_SUCCESS, U.PERCENT,
               HI, C.MONTHLY, A.LAST,
               _("Recurring revenue kept from existing customers, expansion included, against a year ago."),
               benchmark="100"),
    CatalogKpi("nps", _("Net Promoter Score"), F.CUSTOMER_SUCCESS, U.NUMBER, HI, C.QUARTERLY,
               A.AVERAGE, _("Promoters minus detractors, in points from -100 to 100, from survey answers.")),
    CatalogKpi("renewals_due", _("Renewals due"), F.CUSTOMER_SUCCESS, U.NUMBER, HI, C.MONTHLY,
               A.SUM, _("Contracts reaching their renewal date.")),
    CatalogKpi("renewals_won", _("Renewals won"), F.CUSTOMER_SUCCESS, U.NUMBER, HI, C.MONTHLY,
               A.SUM, _("Contracts renewed at their renewal date.")),
    CatalogKpi("renewal_rate", _("Renewal rate"), F.CUSTOMER_SUCCESS, U.PERCENT, HI, C.MONTHLY,
               A.LAST, _("Share of due contracts that renewed."),
               formula="100 * renewals_won / renewals_due"),
    # Operations
    CatalogKpi("data_accuracy", _("CRM data accuracy"), F.OPERATIONS, U.PERCENT, HI, C.MONTHLY,
               A.AVERAGE, _("Share of audited CRM records without errors.")),
    CatalogKpi("data_quality", _("Data quality score"), F.OPERATIONS, U.PERCENT, HI, C.DAILY, A.LAST,
               _("Rumbo's own score of the organization's KPI data (fresh, complete, without outliers or "
                 "duplicates), recorded by every recomputation: no measurements to send.")),
]  # fmt: skip


# Families in the order the catalog shows them (the KPI guide's four, operations with customer success).
FAMILIES = [F.FINANCIAL, F.SALES, F.MARKETING, F.CUSTOMER_SUCCESS, F.OPERATIONS]

SALES, RETENTION, REVOPS = "sales_efficiency", "retention_expansion", "revops_processes"
DATA, MARKET = "data_driven", "market_expansion"
# Per code: (OKR templates it measures, company priorities it serves).
SERVES = {
    "revenue": ((DATA, MARKET), ("growth", "expansion")),
    "operating_cost": ((REVOPS,), ("efficiency",)),
    "profit_margin": ((DATA, REVOPS), ("growth", "efficiency")),
    "roi": ((REVOPS, DATA), ("efficiency", "growth")),
    "deals_closed": ((SALES,), ("efficiency",)),
    "deals_won": ((SALES,), ("growth",)),
    "bookings": ((SALES, MARKET), ("growth",)),
    "win_rate": ((SALES,), ("efficiency", "growth")),
    "average_deal_value": ((SALES, RETENTION), ("growth",)),
    "opportunities": ((SALES,), ("growth",)),
    "sales_cycle_days": ((SALES,), ("efficiency",)),
    "forecast_accuracy": ((DATA,), ("growth",)),
    "leads": ((MARKET,), ("growth", "expansion")),
    "lead_conversion_rate": ((SALES, MARKET), ("efficiency",)),
    "marketing_spend": ((REVOPS,), ("efficiency",)),
    "new_customers": ((MARKET,), ("growth", "expansion")),
    "cac": ((SALES, REVOPS), ("efficiency",)),
    "romi": ((MARKET, DATA), ("growth", "efficiency")),
    "active_customers": ((RETENTION,), ("retention",)),
    "churned_customers": ((RETENTION,), ("retention",)),
    "churn_rate": ((RETENTION,), ("retention",)),
    "net_revenue_retention": ((RETENTION,), ("retention", "expansion")),
    "nps": ((RETENTION,), ("retention",)),
    "renewals_due": ((RETENTION,), ("retention",)),
    "renewals_won": ((RETENTION,), ("retention",)),
    "renewal_rate": ((RETENTION,), ("retention",)),
    "data_accuracy": ((DATA, REVOPS), ("efficiency", "growth")),
    "data_quality": ((DATA, REVOPS), ("efficiency", "growth")),
}
BY_CODE = {entry.code: entry for entry in CATALOG}


def catalog_entries(codes) -> list[CatalogKpi]:
    """These codes' entries and the inputs their formulas need, measured KPIs before the formulas that
    read them. Raises KeyError for an unknown code."""
    ordered: list[CatalogKpi] = []

    def visit(code: str) -> None:
        entry = BY_CODE[code]
        if any(done.code == code for done in ordered):
            return
        for input_code in entry.inputs:
            visit(input_code)
        ordered.append(entry)

    for code in codes:
        visit(code)
    return ordered
