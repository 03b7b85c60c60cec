import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.scoping import membership_for_user, write_required
from okrs import selectors
from tests.accounts.factories import UserFactory
from tests.okrs.factories import CycleFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def test_membership_resolves_the_users_organization(admin_a, member_b):
    assert membership_for_user(admin_a.user).organization == admin_a.organization
    assert membership_for_user(member_b.user).organization == member_b.organization
    assert membership_for_user(UserFactory()) is None


def test_selectors_only_see_the_requesting_organization(admin_a, member_b):
    mine = ObjectiveFactory(cycle=CycleFactory(organization=admin_a.organization))
    ObjectiveFactory(cycle=CycleFactory(organization=member_b.organization))
    assert list(selectors.objective_list(organization=admin_a.organization)) == [mine]


def test_another_organizations_objective_is_a_404_not_a_403(client, admin_a, member_b):
    theirs = ObjectiveFactory(cycle=CycleFactory(organization=member_b.organization))
    client.force_login(admin_a.user)
    response = client.get(reverse("dashboards:objective-detail", args=[theirs.pk]))
    assert response.status_code == 404
    client.force_login(member_b.user)
    assert client.get(reverse("dashboards:objective-detail", args=[theirs.pk])).status_code == 200


def test_pages_require_login(client, admin_a):
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def _request_as(member):
    request = RequestFactory().post("/anything/")
    request.user = member.user
    request.membership = member.membership
    request.organization = member.organization
    return request


def test_viewers_cannot_write_editors_and_admins_can(viewer_a, editor_a, admin_a):
    view = write_required(lambda request: HttpResponse("written"))
    with pytest.raises(PermissionDenied):
        view(_request_as(viewer_a))
    assert view(_request_as(editor_a)).status_code == 200
    assert view(_request_as(admin_a)).status_code == 200


def test_a_person_without_organization_gets_404_on_write_pages():
    request = RequestFactory().post("/anything/")
    request.user, request.membership, request.organization = UserFactory(), None, None
    with pytest.raises(Http404):
        write_required(lambda request: HttpResponse("written"))(request)


def test_login_and_logout_pages(client, admin_a):
    assert client.get(reverse("accounts:login")).status_code == 200
    response = client.post(
        reverse("accounts:login"), {"username": "admin-a", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboards:overview")).status_code == 200
    bad = client.post(reverse("accounts:login"), {"username": "admin-a", "password": "wrong"})
    assert bad.status_code == 200
    assert b"correct username and password" in bad.content
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboards:overview")).status_code == 302
