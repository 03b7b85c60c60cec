"""The demo organization's insight: a guardrail on the win rate, an initiative and a business review.

Idempotent: each piece is added once, in the organization's language.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Organization
from common.timezones import zone_or_utc
from insights import services
from insights.models import BusinessReview, Initiative
from kpis import services as kpi_services
from kpis.choices import GuardrailComparison
from kpis.models import Guardrail, Kpi
from okrs.models import KeyResult


def demo_insight_load(organization: Organization) -> None:
    """A guardrail (win rate up, sales cycle at most 50 days), an initiative on the win rate, a review."""
    kpis = {kpi.code: kpi for kpi in Kpi.objects.for_organization(organization)}
    win_rate, cycle_days = kpis.get("win_rate"), kpis.get("sales_cycle_days")
    key_result = (
        KeyResult.objects.for_organization(organization).filter(kpi=win_rate).order_by("pk").first()
        if win_rate
        else None
    )
    owner = organization.memberships.filter(role=Role.ADMIN).select_related("user").first()
    user = owner.user if owner else None
    today = timezone.localtime(timezone.now(), zone_or_utc(organization.time_zone)).date()
    with translation.override(organization.language):
        if key_result and cycle_days and not Guardrail.objects.filter(key_result=key_result).exists():
            kpi_services.guardrail_create(
                key_result=key_result,
                kpi=cycle_days,
                comparison=GuardrailComparison.AT_MOST,
                limit=Decimal(50),
            )
        if win_rate and not Initiative.objects.filter(organization=organization).exists():
            services.initiative_create(
                organization=organization,
                title=_("Deal desk for large discounts"),
                description=_(
                    "Every deal above a 15 % discount goes through the deal desk, to raise the win rate "
                    "without giving margin away."
                ),
                owner=user,
                start=today - timedelta(days=75),
                end=today - timedelta(days=15),
                kpis=[kpi for kpi in (win_rate, kpis.get("average_deal_value")) if kpi],
                key_results=[key_result] if key_result else [],
            )
        if not BusinessReview.objects.filter(organization=organization).exists():
            review = services.review_create(organization=organization, user=user)
            services.action_item_create(
                review=review,
                title=_("Call the five largest open deals before the quarter ends"),
                owner=user,
                due_date=today + timedelta(days=7),
                kpi=win_rate,
            )
