"""Every widget of the admin is scoped: an organization admin of B never sees nor references A's rows.

Every name of organization A carries the marker "zyxwq", so a page, a choice or an autocomplete answer
that shows anything of A is caught by one search.
"""

import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.test import RequestFactory
from django.urls import reverse

from accounts.admin_base import OrganizationScopedAdmin
from accounts.choices import Role
from accounts.models import Membership, Team
from okrs.models import CheckIn, Objective
from tests.accounts.factories import MembershipFactory, OrganizationFactory, TeamFactory, UserFactory
from tests.kpis.factories import KpiFactory, MeasurementFactory
from tests.okrs.factories import (
    CheckInFactory,
    CycleFactory,
    KeyResultFactory,
    ObjectiveFactory,
    PriorityFactory,
)
from tests.webhooks.factories import WebhookEndpointFactory
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db

MARKER = "zyxwq"


def _organization_with_everything(prefix: str):
    organization = OrganizationFactory(name=f"{prefix} Org", slug=f"{prefix.lower()}-org")
    person = MembershipFactory(
        organization=organization,
        role=Role.EDITOR,
        user=UserFactory(username=f"{prefix.lower()}-editor", email=f"{prefix.lower()}@example.com"),
    )
    team = TeamFactory(organization=organization, name=f"{prefix} Sales")
    person.teams.add(team)
    cycle = CycleFactory(organization=organization, name=f"{prefix} Q4")
    priority = PriorityFactory(organization=organization, title=f"{prefix} priority")
    objective = ObjectiveFactory(
        cycle=cycle, title=f"{prefix} objective", owner=person.user, team=team, priority=priority
    )
    kpi = KpiFactory(organization=organization, code=f"{prefix.lower()}_bookings", name=f"{prefix} bookings")
    key_result = KeyResultFactory(
        objective=objective, title=f"{prefix} key result", owner=person.user, kpi=kpi
    )
    CheckInFactory(key_result=key_result, author=person.user, note=f"{prefix} note")
    MeasurementFactory(kpi=kpi, note=f"{prefix} measurement")
    endpoint = WebhookEndpointFactory(
        organization=organization, url=f"https://{prefix.lower()}.example.com/hook"
    )
    WebhookDelivery.objects.create(endpoint=endpoint, event="check_in.created", body=f"{prefix} body")
    return organization


@pytest.fixture
def org_a_full(db):
    return _organization_with_everything("Zyxwq")


@pytest.fixture
def admin_of_b(db):
    _organization_with_everything("Bravo")
    membership = Membership.objects.get(user__username="bravo-editor")
    admin_membership = MembershipFactory(
        organization=membership.organization,
        role=Role.ADMIN,
        user=UserFactory(username="bravo-admin", is_staff=True),
    )
    return admin_membership


def _assert_nothing_of_a(text: str, where: str) -> None:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)  # random letters
    assert MARKER not in text.lower(), f"{where} shows organization A: …{_around(text)}…"


def _around(text: str) -> str:
    index = text.lower().index(MARKER)
    return text[max(0, index - 400) : index + 80]


def _admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    request.session = {}
    return request


def test_every_admin_page_filter_and_choice_shows_only_the_admins_organization(
    client, org_a_full, admin_of_b
):
    client.force_login(admin_of_b.user)
    request = _admin_request(admin_of_b.user)
    _assert_nothing_of_a(client.get(reverse("admin:index")).content.decode(), "the admin index")
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        if not isinstance(model_admin, OrganizationScopedAdmin):
            # Django's own permission-based admins (groups, schedules…): closed to organization admins.
            assert changelist.status_code == 403, info
            continue
        assert changelist.status_code == 200, info
        _assert_nothing_of_a(changelist.content.decode(), f"the {info} changelist")
        _assert_filters_scoped(model_admin, request, info)
        if model_admin.has_add_permission(request):
            add = client.get(reverse("admin:{}_{}_add".format(*info)))
            assert add.status_code == 200, info
            _assert_nothing_of_a(add.content.decode(), f"the {info} add form")
            _assert_choices_scoped(model_admin, request, None, info)
        obj = model_admin.get_queryset(request).first()
        if obj is not None:
            change = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            assert change.status_code == 200, info
            _assert_nothing_of_a(change.content.decode(), f"the {info} change form")
            _assert_choices_scoped(model_admin, request, obj, info)


def _assert_filters_scoped(model_admin, request, info):
    changelist = model_admin.get_changelist_instance(request)
    assert isinstance(changelist, ChangeList)
    for list_filter in changelist.filter_specs:
        for choice in list_filter.choices(changelist):
            _assert_nothing_of_a(str(choice["display"]), f"a list filter of {info}")


def _assert_choices_scoped(model_admin, request, obj, info):
    form = model_admin.get_form(request, obj)
    forms = [form]
    for inline in model_admin.get_inline_instances(request, obj):
        forms.append(inline.get_formset(request, obj).form)
    for form_class in forms:
        for name, field in form_class.base_fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is not None:
                shown = " ".join(str(choice) for choice in queryset)
                _assert_nothing_of_a(shown, f"the choices of {info}.{name}")


def test_every_autocomplete_answers_with_the_admins_organization_only(client, org_a_full, admin_of_b):
    client.force_login(admin_of_b.user)
    asked = 0
    for model, model_admin in admin.site._registry.items():
        admins = [model_admin, *(inline(model, admin.site) for inline in model_admin.inlines)]
        for source in admins:
            for field_name in source.autocomplete_fields:
                params = {
                    "app_label": source.model._meta.app_label,
                    "model_name": source.model._meta.model_name,
                    "field_name": field_name,
                    "term": "",
                }
                for term in ("", MARKER):
                    response = client.get(reverse("admin:autocomplete"), {**params, "term": term})
                    assert response.status_code == 200, params
                    results = response.json()["results"]
                    _assert_nothing_of_a(" ".join(item["text"] for item in results), f"autocomplete {params}")
                    assert term or results, f"autocomplete {params} offers nothing of B"
                asked += 1
    assert asked >= 10


def test_a_membership_cannot_be_put_on_another_organizations_team(client, org_a_full, admin_of_b):
    membership = Membership.objects.get(user__username="bravo-editor")
    team_of_a = Team.objects.get(name="Zyxwq Sales")
    client.force_login(admin_of_b.user)
    response = client.post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {"role": membership.role, "teams": [team_of_a.pk], "active": "on"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert list(membership.teams.values_list("name", flat=True)) == ["Bravo Sales"]


def test_a_membership_cannot_be_created_for_a_person_of_another_organization(client, org_a_full, admin_of_b):
    user_of_a = Membership.objects.get(user__username="zyxwq-editor").user
    client.force_login(admin_of_b.user)
    response = client.post(
        reverse("admin:accounts_membership_add"),
        {
            "user": user_of_a.pk,
            "organization": admin_of_b.organization.pk,
            "role": Role.VIEWER,
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Membership.objects.filter(user=user_of_a, organization=admin_of_b.organization).exists()


def test_an_objective_cannot_be_added_to_another_organizations_cycle_or_team(client, org_a_full, admin_of_b):
    objective_of_a = Objective.objects.get(title="Zyxwq objective")
    client.force_login(admin_of_b.user)
    response = client.post(
        reverse("admin:okrs_objective_add"),
        {
            "cycle": objective_of_a.cycle_id,
            "team": objective_of_a.team_id,
            "owner": admin_of_b.user.pk,
            "title": "Sneaky",
            "so_what": "x",
            "outcome_kind": objective_of_a.outcome_kind,
            "type": objective_of_a.type,
            "weight": "1",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "cycle" in errors and "team" in errors
    assert not Objective.objects.filter(title="Sneaky").exists()


def test_a_check_in_cannot_be_added_to_another_organizations_key_result(client, org_a_full, admin_of_b):
    key_result_of_a = CheckIn.objects.get(note="Zyxwq note").key_result
    client.force_login(admin_of_b.user)
    response = client.post(
        reverse("admin:okrs_checkin_add"),
        {"key_result": key_result_of_a.pk, "value": "5", "confidence": "5", "note": "sneaky"},
    )
    assert response.status_code == 200
    assert "key_result" in response.context["adminform"].form.errors
    assert not CheckIn.objects.filter(note="sneaky").exists()
    assert key_result_of_a.check_ins.count() == 1
    assert Decimal(key_result_of_a.current_value) != Decimal(5)
