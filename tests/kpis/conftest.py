"""Fixtures of the KPI tests: a DRF client and a small set of KPIs in organization A."""

import pytest
from rest_framework.test import APIClient

from kpis.choices import Aggregation, Cadence
from tests.kpis.factories import KpiFactory


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def deals(admin_a):
    """Measured KPIs deals_won and deals_closed, and the formula win_rate, monthly, in organization A."""
    org = admin_a.organization
    won = KpiFactory(organization=org, code="deals_won", cadence=Cadence.MONTHLY, aggregation=Aggregation.SUM)
    closed = KpiFactory(organization=org, code="deals_closed", cadence=Cadence.MONTHLY)
    rate = KpiFactory(
        organization=org,
        code="win_rate",
        cadence=Cadence.MONTHLY,
        aggregation=Aggregation.LAST,
        formula="100 * deals_won / deals_closed",
    )
    return {"won": won, "closed": closed, "rate": rate}
