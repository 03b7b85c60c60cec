from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from okrs import services
from okrs.choices import KeyResultKind
from tests.accounts.factories import TeamFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory, editor_of

pytestmark = pytest.mark.django_db


def _key_result_fields(objective, **overrides):
    fields = {
        "title": "Close rate",
        "owner": editor_of(objective.cycle.organization),
        "kind": KeyResultKind.INCREASE,
        "start_value": Decimal(20),
        "target_value": Decimal(23),
    }
    return {**fields, **overrides}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"target_value": Decimal(20)}, "target_value"),
        ({"target_value": Decimal(10)}, "target_value"),
        ({"weight": Decimal(-1)}, "weight"),
        ({"confidence": 11}, "confidence"),
        ({"due_date": date(2027, 1, 1)}, "due_date"),
        ({"due_date": date(2026, 9, 30)}, "due_date"),
    ],
)
def test_bad_key_result_input_is_a_field_error(overrides, field):
    objective = ObjectiveFactory()
    with pytest.raises(ValidationError) as error:
        services.key_result_create(objective=objective, **_key_result_fields(objective, **overrides))
    assert field in error.value.message_dict
    assert not objective.key_results.exists()


def test_key_result_due_date_defaults_to_the_cycle_end():
    objective = ObjectiveFactory(cycle__end=date(2026, 12, 31))
    key_result = services.key_result_create(objective=objective, **_key_result_fields(objective))
    assert key_result.due_date == date(2026, 12, 31)
    assert key_result.current_value == key_result.start_value


def test_database_refuses_target_equal_to_start_even_without_validation():
    key_result = KeyResultFactory()
    key_result.target_value = key_result.start_value
    with pytest.raises(IntegrityError), transaction.atomic():
        key_result.save()


def test_cascade_loop_is_rejected_with_a_clear_error():
    top = ObjectiveFactory(title="Top")
    middle = ObjectiveFactory(cycle=top.cycle, parent=top, title="Middle")
    bottom = ObjectiveFactory(cycle=top.cycle, parent=middle, title="Bottom")
    with pytest.raises(ValidationError) as error:
        services.objective_update(objective=top, parent=bottom)
    assert "loop" in error.value.message_dict["parent"][0]
    top.refresh_from_db()
    assert top.parent is None


def test_objective_cannot_be_its_own_parent():
    objective = ObjectiveFactory()
    with pytest.raises(ValidationError) as error:
        services.objective_update(objective=objective, parent=objective)
    assert "parent" in error.value.message_dict


def test_alignment_to_another_organizations_rows_is_rejected():
    objective = ObjectiveFactory()
    foreign_priority = PriorityFactory()
    foreign_team = TeamFactory()
    foreign_parent = ObjectiveFactory()
    with pytest.raises(ValidationError) as error:
        services.objective_update(
            objective=objective, priority=foreign_priority, team=foreign_team, parent=foreign_parent
        )
    assert set(error.value.message_dict) == {"priority", "team", "parent"}


def test_cycle_cannot_end_before_it_starts():
    cycle = CycleFactory.build(
        start=date(2026, 10, 1), end=date(2026, 9, 1), organization=CycleFactory().organization
    )
    with pytest.raises(ValidationError):
        cycle.full_clean()


def test_check_in_confidence_outside_zero_to_ten_is_refused():
    key_result = KeyResultFactory()
    with pytest.raises(ValidationError) as error:
        services.check_in_create(key_result=key_result, value=Decimal(5), confidence=12)
    assert "confidence" in error.value.message_dict
    assert not key_result.check_ins.exists()


def test_check_in_in_the_future_is_refused():
    from datetime import timedelta

    from django.utils import timezone

    key_result = KeyResultFactory()
    tomorrow = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.check_in_create(
            key_result=key_result, value=Decimal(5), confidence=5, checked_in_at=tomorrow
        )
    assert "checked_in_at" in error.value.message_dict
