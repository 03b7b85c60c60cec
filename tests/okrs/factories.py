from datetime import date
from decimal import Decimal

import factory

from accounts.choices import Role
from okrs.choices import CycleState, KeyResultKind, ObjectiveState, OutcomeKind, Unit
from okrs.models import CheckIn, Cycle, KeyResult, Objective, Priority
from tests.accounts.factories import MembershipFactory, OrganizationFactory


def editor_of(organization):
    """A person who may own objectives and key results: an editor of the organization."""
    return MembershipFactory(organization=organization, role=Role.EDITOR).user


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Cycle {n}")
    start = date(2026, 10, 1)
    end = date(2026, 12, 31)
    state = CycleState.ACTIVE


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Priority {n}")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    cycle = factory.SubFactory(CycleFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    so_what = "More revenue from the same pipeline."
    outcome_kind = OutcomeKind.GROWTH
    owner = factory.LazyAttribute(lambda objective: editor_of(objective.cycle.organization))
    state = ObjectiveState.ACTIVE


class KeyResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyResult

    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Key result {n}")
    owner = factory.LazyAttribute(lambda kr: editor_of(kr.objective.cycle.organization))
    kind = KeyResultKind.INCREASE
    unit = Unit.NUMBER
    start_value = Decimal(0)
    target_value = Decimal(100)
    current_value = factory.LazyAttribute(lambda kr: kr.start_value)
    due_date = factory.LazyAttribute(lambda kr: kr.objective.cycle.end)


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    key_result = factory.SubFactory(KeyResultFactory)
    value = Decimal(10)
    confidence = 5
    checked_in_at = factory.Faker("date_time_this_month", tzinfo=__import__("datetime").UTC)
    previous_value = Decimal(0)
