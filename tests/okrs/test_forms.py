"""Edit forms open with what is stored, and decimals typed with a comma are never read ten times off."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import translation

from accounts import services
from accounts.choices import TeamKind
from accounts.selectors import team_list, user_list
from kpis import selectors as kpi_selectors
from kpis.choices import Aggregation, Cadence, Direction, Family
from kpis.forms import KpiForm
from okrs import selectors
from okrs.choices import KeyResultKind, KpiWindow, ObjectiveState, ObjectiveType, OutcomeKind, Unit
from okrs.forms import CheckInForm, DecimalCommaField, KeyResultForm, ObjectiveForm
from okrs.models import CheckIn, KeyResult, Objective
from okrs.services.objectives import KEY_RESULT_EDITABLE, OBJECTIVE_EDITABLE
from tests.accounts.factories import TeamFactory
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory, PriorityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled_objective(editor_a):
    """An objective whose every editable field differs from the form's defaults."""
    organization = editor_a.organization
    cycle = CycleFactory(organization=organization, name="Q4")
    parent = ObjectiveFactory(cycle=cycle, owner=editor_a.user, title="Grow revenue")
    return ObjectiveFactory(
        cycle=cycle,
        title="Win the mid-market",
        description="Two lines\nof description",
        type=ObjectiveType.ASPIRATIONAL,
        so_what="Bigger deals from the same pipeline.",
        outcome_kind=OutcomeKind.EXPANSION,
        owner=editor_a.user,
        team=TeamFactory(organization=organization, kind=TeamKind.MARKETING),
        state=ObjectiveState.ACTIVE,
        priority=PriorityFactory(organization=organization),
        parent=parent,
    )


@pytest.fixture
def filled_key_result(filled_objective, editor_a):
    return KeyResultFactory(
        objective=filled_objective,
        title="Cut the sales cycle",
        owner=editor_a.user,
        kind=KeyResultKind.DECREASE,
        unit=Unit.DAYS,
        start_value=Decimal("80.5"),
        target_value=Decimal("45.25"),
        due_date=date(2026, 11, 30),
        weight=Decimal("2.5"),
        confidence=8,
        kpi=KpiFactory(organization=editor_a.organization, name="Sales cycle"),
        kpi_window=KpiWindow.CYCLE_TO_DATE,
    )


def _objective_form(objective, data=None):
    organization = objective.cycle.organization
    return ObjectiveForm(
        data,
        instance=objective,
        cycles=selectors.cycle_list(organization=organization),
        owners=user_list(organization=organization),
        teams=team_list(organization=organization),
        priorities=selectors.priority_list(organization=organization),
        parents=Objective.objects.exclude(pk=objective.pk),
    )


def _key_result_form(key_result, data=None):
    organization = key_result.objective.cycle.organization
    return KeyResultForm(
        data,
        instance=key_result,
        owners=user_list(organization=organization),
        kpis=kpi_selectors.kpi_list(organization=organization),
    )


def _submitted(form) -> dict:
    """What a browser sends back for an untouched form: each field's rendered value."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(value, list):
            data[bound.html_name] = [str(item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif value is not None:
            formatted = bound.field.widget.format_value(value)
            data[bound.html_name] = formatted[0] if isinstance(formatted, list) else formatted
    return data


def _page_form(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.context["form"]


def test_objective_edit_page_opens_with_the_stored_values(client, editor_a, filled_objective):
    form = _page_form(client, editor_a.user, reverse("okrs:objective-update", args=[filled_objective.pk]))
    stored = model_to_dict(filled_objective, fields=OBJECTIVE_EDITABLE)
    assert {name: form[name].value() for name in OBJECTIVE_EDITABLE} == stored
    assert form["state"].value() == ObjectiveState.ACTIVE


def test_objective_form_submitted_untouched_gives_back_the_stored_values(filled_objective):
    form = _objective_form(filled_objective, data=_submitted(_objective_form(filled_objective)))
    assert form.is_valid(), form.errors
    assert not form.has_changed()
    assert {name: form.cleaned_data[name] for name in OBJECTIVE_EDITABLE} == {
        name: getattr(filled_objective, name) for name in OBJECTIVE_EDITABLE
    }


def test_key_result_edit_page_opens_with_the_stored_values(client, editor_a, filled_key_result):
    form = _page_form(client, editor_a.user, reverse("okrs:key-result-update", args=[filled_key_result.pk]))
    stored = model_to_dict(filled_key_result, fields=KEY_RESULT_EDITABLE)
    assert {name: form[name].value() for name in KEY_RESULT_EDITABLE} == stored
    assert form["weight"].value() == Decimal("2.5")
    assert 'value="2026-11-30"' in str(form["due_date"])


def test_key_result_form_submitted_untouched_gives_back_the_stored_values(filled_key_result):
    form = _key_result_form(filled_key_result, data=_submitted(_key_result_form(filled_key_result)))
    assert form.is_valid(), form.errors
    assert not form.has_changed()
    assert {name: form.cleaned_data[name] for name in KEY_RESULT_EDITABLE} == {
        name: getattr(filled_key_result, name) for name in KEY_RESULT_EDITABLE
    }


def _kpi_form(kpi, data=None):
    organization = kpi.organization
    return KpiForm(
        data,
        instance=kpi,
        owners=user_list(organization=organization),
        teams=team_list(organization=organization),
        priorities=selectors.priority_list(organization=organization),
        objectives=Objective.objects.filter(cycle__organization=organization).select_related("cycle"),
    )


@pytest.fixture
def filled_kpi(filled_objective, editor_a):
    organization = editor_a.organization
    KpiFactory(organization=organization, code="deals_won", cadence=Cadence.WEEKLY)
    KpiFactory(organization=organization, code="deals_closed", cadence=Cadence.WEEKLY)
    kpi = KpiFactory(
        organization=organization,
        code="win_rate",
        name="Win rate",
        family=Family.MARKETING,
        description="Won deals\namong closed ones",
        unit=Unit.PERCENT,
        direction=Direction.LOWER_IS_BETTER,
        cadence=Cadence.WEEKLY,
        aggregation=Aggregation.AVERAGE,
        formula="100 * deals_won / deals_closed",
        target=Decimal("20.5"),
        warning_threshold=Decimal("25"),
        critical_threshold=Decimal("30.125"),
        baseline=Decimal("28"),
        benchmark=Decimal("22"),
        owner=editor_a.user,
        team=filled_objective.team,
        active=False,
    )
    kpi.priorities.set([filled_objective.priority])
    kpi.objectives.set([filled_objective])
    return kpi


def test_kpi_edit_page_opens_with_the_stored_values(client, editor_a, filled_kpi):
    form = _page_form(client, editor_a.user, reverse("kpis:kpi-update", args=[filled_kpi.pk]))
    stored = model_to_dict(filled_kpi, fields=KpiForm.field_names)
    stored.update(priorities=[filled_kpi.priorities.get().pk], objectives=[filled_kpi.objectives.get().pk])
    assert {name: form[name].value() for name in KpiForm.field_names} == stored
    assert form["active"].value() is False


def test_kpi_form_submitted_untouched_changes_nothing(filled_kpi):
    form = _kpi_form(filled_kpi, data=_submitted(_kpi_form(filled_kpi)))
    assert form.is_valid(), form.errors
    assert not form.has_changed()
    assert form.cleaned_data["description"] == "Won deals\namong closed ones"


def test_a_new_objective_form_takes_its_initial_values_from_the_query(editor_a):
    priority = PriorityFactory(organization=editor_a.organization)
    form = ObjectiveForm(
        initial={"priority": str(priority.pk)},
        cycles=selectors.cycle_list(organization=editor_a.organization),
        owners=user_list(organization=editor_a.organization),
        teams=team_list(organization=editor_a.organization),
        priorities=selectors.priority_list(organization=editor_a.organization),
        parents=Objective.objects.none(),
    )
    assert form["priority"].value() == str(priority.pk)
    assert form["state"].value() == ObjectiveState.DRAFT


def test_text_areas_keep_unix_line_breaks(filled_objective):
    data = {**_submitted(_objective_form(filled_objective)), "description": "Two lines\r\nof description"}
    form = _objective_form(filled_objective, data=data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["description"] == "Two lines\nof description"


@pytest.mark.parametrize(
    ("language", "typed", "value"),
    [
        ("en", "21.5", Decimal("21.5")),
        ("en", " 21.5 ", Decimal("21.5")),
        ("en", "1,234.56", Decimal("1234.56")),
        ("en", "1,234", Decimal("1234")),
        ("en", "-0.75", Decimal("-0.75")),
        ("en", "1234", Decimal("1234")),
        ("es", "21,5", Decimal("21.5")),
        ("es", " 21,5 ", Decimal("21.5")),
        ("es", "1.234,56", Decimal("1234.56")),
        ("es", "1.234", Decimal("1234")),
        ("es", "-0,75", Decimal("-0.75")),
        ("es", "0,125", Decimal("0.125")),
        ("es", "1234", Decimal("1234")),
    ],
)
def test_decimal_field_reads_the_language_separators(language, typed, value):
    with translation.override(language):
        assert DecimalCommaField(max_digits=18, decimal_places=4).clean(typed) == value


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("en", "21,5"),
        ("en", "1.234,5"),
        ("en", "12,50"),
        ("en", "2,1,5"),
        ("es", "21.5"),
        ("es", "1,234.5"),
        ("es", "21,"),
        ("es", "2.1.5"),
    ],
)
def test_decimal_field_refuses_the_other_separator_instead_of_misreading_it(language, typed):
    field = DecimalCommaField(max_digits=18, decimal_places=4)
    with translation.override(language), pytest.raises(ValidationError) as error:
        field.clean(typed)
    decimal_mark = "." if language == "en" else ","
    assert f"the decimal separator is “{decimal_mark}”" in " ".join(error.value.messages) or (
        language == "es" and "separador" in " ".join(error.value.messages)
    )


def test_check_in_form_reads_a_decimal_comma_in_spanish(filled_key_result):
    with translation.override("es"):
        form = CheckInForm({"value": "21,5", "confidence": "6"}, key_result=filled_key_result)
        assert form.is_valid(), form.errors
    assert form.cleaned_data["value"] == Decimal("21.5")
    assert 'type="text"' in str(form["value"]) and 'inputmode="decimal"' in str(form["value"])


def _spanish(membership):
    services.profile_language_set(user=membership.user, language="es")


def test_check_in_page_in_spanish_stores_21_comma_5_as_21_5(client, editor_a):
    key_result = KeyResultFactory(
        objective__cycle__organization=editor_a.organization, owner=editor_a.user, target_value=Decimal(100)
    )
    _spanish(editor_a)
    client.force_login(editor_a.user)
    url = reverse("okrs:check-in-create", args=[key_result.pk])
    response = client.post(url, {"value": "21,5", "confidence": "6"})
    assert response.status_code == 302
    key_result.refresh_from_db()
    assert key_result.current_value == Decimal("21.5")
    assert key_result.progress == Decimal("0.215")
    assert key_result.status != "achieved"


def test_check_in_page_in_english_refuses_21_comma_5_and_stores_nothing(client, editor_a):
    key_result = KeyResultFactory(objective__cycle__organization=editor_a.organization, owner=editor_a.user)
    client.force_login(editor_a.user)
    url = reverse("okrs:check-in-create", args=[key_result.pk])
    response = client.post(url, {"value": "21,5", "confidence": "6"})
    assert response.status_code == 400
    assert "the decimal separator is “.”" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_key_result_page_in_spanish_reads_and_shows_decimal_commas(client, filled_key_result, editor_a):
    _spanish(editor_a)
    client.force_login(editor_a.user)
    url = reverse("okrs:key-result-update", args=[filled_key_result.pk])
    page = client.get(url).content.decode()
    assert 'value="80,5"' in page and 'value="45,25"' in page and 'value="2,5"' in page
    data = {**_submitted(_key_result_form(filled_key_result)), "start_value": "90,5", "weight": "1,5"}
    data["target_value"] = "45,25"
    response = client.post(url, data)
    assert response.status_code == 302
    filled_key_result.refresh_from_db()
    assert (filled_key_result.start_value, filled_key_result.weight) == (Decimal("90.5"), Decimal("1.5"))
    response = client.post(url, {**data, "target_value": "1,250.5"})
    assert response.status_code == 400
    assert KeyResult.objects.get(pk=filled_key_result.pk).target_value == Decimal("45.25")


def test_objective_page_saved_untouched_keeps_every_field(client, filled_objective, editor_a):
    before = model_to_dict(Objective.objects.get(pk=filled_objective.pk))
    client.force_login(editor_a.user)
    url = reverse("okrs:objective-update", args=[filled_objective.pk])
    page = client.get(url)
    response = client.post(url, _submitted(page.context["form"]))
    assert response.status_code == 302
    assert model_to_dict(Objective.objects.get(pk=filled_objective.pk)) == before
