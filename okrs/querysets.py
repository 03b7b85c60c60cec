from django.db import models

from okrs.choices import CycleState


class CycleQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def active(self):
        return self.filter(state=CycleState.ACTIVE)


class PriorityQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def active(self):
        return self.filter(active=True)


class ObjectiveQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(cycle__organization=organization)


class KeyResultQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(objective__cycle__organization=organization)


class CheckInQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(key_result__objective__cycle__organization=organization)
