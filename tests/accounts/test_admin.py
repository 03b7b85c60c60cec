import pytest
from django.contrib import admin
from django.urls import reverse

from okrs.models import Objective
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin_a(admin_a):
    admin_a.user.is_staff = True
    admin_a.user.save()
    return admin_a


def _admin_urls():
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        yield reverse("admin:{}_{}_changelist".format(*info))
        if model_admin.has_add_permission.__func__.__code__.co_argcount == 2:
            yield reverse("admin:{}_{}_add".format(*info))


@pytest.mark.parametrize("who", ["superuser", "organization admin"])
def test_every_admin_page_loads(client, staff_admin_a, django_user_model, who):
    KeyResultFactory(objective__cycle__organization=staff_admin_a.organization)
    user = (
        django_user_model.objects.create_superuser("root", "root@example.com", "pw")
        if who == "superuser"
        else staff_admin_a.user
    )
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 200
    for url in _admin_urls():
        response = client.get(url)
        assert response.status_code in (200, 403), url  # 403: models only superusers may add to
    objective = Objective.objects.get()
    assert client.get(reverse("admin:okrs_objective_change", args=[objective.pk])).status_code == 200


def test_organization_admin_sees_only_their_organization(client, staff_admin_a, member_b):
    mine = ObjectiveFactory(cycle=CycleFactory(organization=staff_admin_a.organization), title="Ours")
    theirs = ObjectiveFactory(cycle=CycleFactory(organization=member_b.organization), title="Theirs")
    client.force_login(staff_admin_a.user)
    page = client.get(reverse("admin:okrs_objective_changelist")).content.decode()
    assert "Ours" in page and "Theirs" not in page
    assert (
        client.get(reverse("admin:okrs_objective_change", args=[theirs.pk])).status_code == 302
    )  # not found
    assert client.get(reverse("admin:okrs_objective_change", args=[mine.pk])).status_code == 200
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "okrs", "model_name": "objective", "field_name": "parent", "term": ""},
    ).json()
    assert [item["text"] for item in autocomplete["results"]] == ["Ours"]


def test_editors_and_viewers_are_kept_out_of_the_admin(client, editor_a):
    editor_a.user.is_staff = True
    editor_a.user.save()
    client.force_login(editor_a.user)
    response = client.get(reverse("admin:okrs_objective_changelist"))
    assert response.status_code == 403


def test_organization_admin_cannot_grant_superuser(client, staff_admin_a):
    client.force_login(staff_admin_a.user)
    page = client.get(reverse("admin:auth_user_change", args=[staff_admin_a.user.pk])).content.decode()
    assert 'name="is_superuser"' not in page
