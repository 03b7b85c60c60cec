"""A reusable catalog of RevOps KPIs in four families (plus operations), loadable into any organization.

Derived KPIs are formulas over measured ones of the same cadence. Benchmarks are given only where a
widely quoted public figure exists, and are rough orientation, not a standard.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from accounts.models import Organization
from kpis import services
from kpis.choices import Aggregation as A
from kpis.choices import Cadence as C
from kpis.choices import Direction
from kpis.choices import Family as F
from kpis.choices import KpiUnit as U
from kpis.models import Kpi

HI, LO = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER


@dataclass(frozen=True)
class CatalogKpi:
    code: str
    name: str
    family: str
    unit: str
    direction: str
    cadence: str
    aggregation: str
    description: str
    formula: str = ""
    benchmark: str | None = None


CATALOG = [
    # Financial
    CatalogKpi("revenue", "Revenue", F.FINANCIAL, U.CURRENCY, HI, C.MONTHLY, A.SUM,
               "Recognized revenue of the period."),
    CatalogKpi("operating_cost", "Operating cost", F.FINANCIAL, U.CURRENCY, LO, C.MONTHLY, A.SUM,
               "Cost of running sales, marketing and customer success in the period."),
    CatalogKpi("profit_margin", "Profit margin", F.FINANCIAL, U.PERCENT, HI, C.MONTHLY, A.LAST,
               "Share of revenue left after operating cost.",
               formula="100 * (revenue - operating_cost) / revenue"),
    CatalogKpi("roi", "Return on investment", F.FINANCIAL, U.PERCENT, HI, C.MONTHLY, A.LAST,
               "Revenue gained per unit of operating cost, net of that cost.",
               formula="100 * (revenue - operating_cost) / operating_cost"),
    # Sales
    CatalogKpi("deals_closed", "Deals closed", F.SALES, U.NUMBER, HI, C.MONTHLY, A.SUM,
               "Opportunities closed in the period, won or lost."),
    CatalogKpi("deals_won", "Deals won", F.SALES, U.NUMBER, HI, C.MONTHLY, A.SUM,
               "Opportunities closed as won in the period."),
    CatalogKpi("bookings", "New bookings", F.SALES, U.CURRENCY, HI, C.MONTHLY, A.SUM,
               "Contract value of the deals won in the period."),
    CatalogKpi("win_rate", "Win rate", F.SALES, U.PERCENT, HI, C.MONTHLY, A.LAST,
               "Share of closed deals that were won.", formula="100 * deals_won / deals_closed",
               benchmark="20"),
    CatalogKpi("average_deal_value", "Average deal value", F.SALES, U.CURRENCY, HI, C.MONTHLY,
               A.LAST, "Bookings per deal won.", formula="bookings / deals_won"),
    CatalogKpi("opportunities", "Opportunities created", F.SALES, U.NUMBER, HI, C.WEEKLY, A.SUM,
               "Qualified opportunities created in the period."),
    CatalogKpi("sales_cycle_days", "Sales cycle length", F.SALES, U.DAYS, LO, C.MONTHLY,
               A.AVERAGE, "Days from opportunity creation to close, averaged over the deals closed."),
    CatalogKpi("forecast_accuracy", "Forecast accuracy", F.SALES, U.PERCENT, HI, C.MONTHLY,
               A.LAST, "100% minus the relative error of the period's forecast against actual bookings."),
    # Marketing
    CatalogKpi("leads", "Leads generated", F.MARKETING, U.NUMBER, HI, C.WEEKLY, A.SUM,
               "New marketing-qualified leads."),
    CatalogKpi("lead_conversion_rate", "Lead-to-opportunity conversion", F.MARKETING, U.PERCENT,
               HI, C.WEEKLY, A.LAST, "Share of leads that became opportunities.",
               formula="100 * opportunities / leads"),
    CatalogKpi("marketing_spend", "Marketing spend", F.MARKETING, U.CURRENCY, LO, C.MONTHLY, A.SUM,
               "Programs, media and tools spent on acquisition."),
    CatalogKpi("new_customers", "New customers", F.MARKETING, U.NUMBER, HI, C.MONTHLY, A.SUM,
               "Customers who signed their first contract in the period."),
    CatalogKpi("cac", "Customer acquisition cost", F.MARKETING, U.CURRENCY, LO, C.MONTHLY, A.LAST,
               "Marketing spend per new customer.", formula="marketing_spend / new_customers"),
    CatalogKpi("romi", "Return on marketing investment", F.MARKETING, U.PERCENT, HI, C.MONTHLY,
               A.LAST, "Bookings gained per unit of marketing spend, net of that spend.",
               formula="100 * (bookings - marketing_spend) / marketing_spend"),
    # Customer success
    CatalogKpi("active_customers", "Active customers", F.CUSTOMER_SUCCESS, U.NUMBER, HI,
               C.MONTHLY, A.LAST, "Customers with a live contract at the end of the period."),
    CatalogKpi("churned_customers", "Churned customers", F.CUSTOMER_SUCCESS, U.NUMBER, LO,
               C.MONTHLY, A.SUM, "Customers whose contract ended without renewal."),
    CatalogKpi("churn_rate", "Customer churn rate", F.CUSTOMER_SUCCESS, U.PERCENT, LO, C.MONTHLY,
               A.LAST, "Share of customers lost in the period.",
               formula="100 * churned_customers / active_customers", benchmark="5"),
    CatalogKpi("net_revenue_retention", "Net revenue retention", F.CUSTOMER_SUCCESS, U.PERCENT,
               HI, C.MONTHLY, A.LAST,
               "Recurring revenue kept from existing customers, expansion included, against a year ago.",
               benchmark="100"),
    CatalogKpi("nps", "Net Promoter Score", F.CUSTOMER_SUCCESS, U.NUMBER, HI, C.QUARTERLY,
               A.AVERAGE, "Promoters minus detractors, in points from -100 to 100, from survey answers."),
    CatalogKpi("renewals_due", "Renewals due", F.CUSTOMER_SUCCESS, U.NUMBER, HI, C.MONTHLY,
               A.SUM, "Contracts reaching their renewal date."),
    CatalogKpi("renewals_won", "Renewals won", F.CUSTOMER_SUCCESS, U.NUMBER, HI, C.MONTHLY,
               A.SUM, "Contracts renewed at their renewal date."),
    CatalogKpi("renewal_rate", "Renewal rate", F.CUSTOMER_SUCCESS, U.PERCENT, HI, C.MONTHLY,
               A.LAST, "Share of due contracts that renewed.", formula="100 * renewals_won / renewals_due"),
    # Operations
    CatalogKpi("data_accuracy", "CRM data accuracy", F.OPERATIONS, U.PERCENT, HI, C.MONTHLY,
               A.AVERAGE, "Share of audited CRM records without errors."),
]  # fmt: skip


def catalog_load(*, organization: Organization) -> list[Kpi]:
    """Create the catalog's KPIs that the organization does not have yet (by code); never overwrite."""
    existing = set(Kpi.objects.for_organization(organization).values_list("code", flat=True))
    created = []
    with transaction.atomic():
        # Measured KPIs first: formulas are validated against the KPIs they read.
        for entry in sorted(CATALOG, key=lambda entry: bool(entry.formula)):
            if entry.code in existing:
                continue
            created.append(
                services.kpi_create(
                    organization=organization,
                    code=entry.code,
                    name=entry.name,
                    family=entry.family,
                    unit=entry.unit,
                    direction=entry.direction,
                    cadence=entry.cadence,
                    aggregation=entry.aggregation,
                    description=entry.description,
                    formula=entry.formula,
                    benchmark=Decimal(entry.benchmark) if entry.benchmark else None,
                )
            )
    return created
