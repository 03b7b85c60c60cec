from datetime import UTC, datetime
from decimal import Decimal

import factory

from kpis.choices import Aggregation, Cadence, Family, MeasurementSource
from kpis.models import Kpi, Measurement
from tests.accounts.factories import OrganizationFactory


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"kpi_{n}")
    name = factory.Sequence(lambda n: f"KPI {n}")
    family = Family.SALES
    cadence = Cadence.DAILY
    aggregation = Aggregation.SUM


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    kpi = factory.SubFactory(KpiFactory)
    organization = factory.LazyAttribute(lambda m: m.kpi.organization)
    timestamp = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    value = Decimal(1)
    source = MeasurementSource.API
