from django.db import models

from kpis.choices import RunState


class KpiQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def active(self):
        return self.filter(active=True)

    def measured(self):
        """KPIs fed by measurements rather than computed from a formula."""
        return self.filter(formula="")

    def derived(self):
        return self.exclude(formula="")


class MeasurementQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)


class KpiValueQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(kpi__organization=organization)


class KpiRunQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def succeeded(self):
        return self.filter(state=RunState.SUCCEEDED)
