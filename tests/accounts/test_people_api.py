"""/api/v1/members/ and /api/v1/invitations/: success, validation, roles, another organization's rows."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts import services
from accounts.choices import Role
from accounts.models import Invitation, Membership
from tests.accounts.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _as(api, member):
    api.force_authenticate(member.user)
    return api


def _invite(member, email="ana@example.com"):
    return services.invitation_create(organization=member.organization, email=email, invited_by=member.user)


# Members -------------------------------------------------------------------------------------------------


def test_every_member_reads_the_members_of_their_organization_only(api, admin_a, viewer_a, member_b):
    team = TeamFactory(organization=admin_a.organization)
    viewer_a.membership.teams.add(team)
    response = _as(api, viewer_a).get("/api/v1/members/")
    assert response.status_code == 200
    rows = {row["username"]: row for row in response.json()["results"]}
    assert set(rows) == {"admin-a", "viewer-a"}
    assert rows["viewer-a"] == {
        "id": viewer_a.membership.pk,
        "user": viewer_a.user.pk,
        "username": "viewer-a",
        "email": "viewer-a@example.com",
        "name": viewer_a.user.get_full_name(),
        "role": "viewer",
        "teams": [team.pk],
        "active": True,
        "created_at": rows["viewer-a"]["created_at"],
        "updated_at": rows["viewer-a"]["updated_at"],
    }
    assert _as(api, viewer_a).get(f"/api/v1/members/{admin_a.membership.pk}/").json()["role"] == "admin"


def test_members_are_searched_by_name_username_or_address(api, admin_a, viewer_a, member_b):
    response = _as(api, admin_a).get("/api/v1/members/", {"search": "viewer-a@"})
    assert [row["username"] for row in response.json()["results"]] == ["viewer-a"]
    assert api.get("/api/v1/members/", {"search": "member-b"}).json()["count"] == 0
    assert api.get("/api/v1/members/", {"search": ""}).status_code == 400


def test_another_organizations_member_is_a_404(api, admin_a, member_b):
    url = f"/api/v1/members/{member_b.membership.pk}/"
    assert _as(api, admin_a).get(url).status_code == 404
    assert api.patch(url, {"role": "viewer"}, format="json").status_code == 404
    assert Membership.objects.get(pk=member_b.membership.pk).role == Role.ADMIN


def test_admins_change_role_teams_and_deactivate(api, admin_a, viewer_a):
    team = TeamFactory(organization=admin_a.organization)
    url = f"/api/v1/members/{viewer_a.membership.pk}/"
    response = _as(api, admin_a).patch(url, {"role": "editor", "teams": [team.pk]}, format="json")
    assert response.status_code == 200
    assert (response.json()["role"], response.json()["teams"]) == ("editor", [team.pk])
    response = api.patch(url, {"active": False}, format="json")
    assert response.json()["active"] is False
    assert not Membership.objects.get(pk=viewer_a.membership.pk).active


@pytest.mark.parametrize(
    "body, field",
    [
        ({"role": "owner"}, "role"),
        ({"active": "maybe"}, "active"),
        ({"teams": [999999]}, "teams"),
        ({"user": 1}, "user"),
    ],
)
def test_member_changes_are_validated(api, admin_a, viewer_a, body, field):
    response = _as(api, admin_a).patch(f"/api/v1/members/{viewer_a.membership.pk}/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]


def test_another_organizations_team_is_refused_like_a_missing_one(api, admin_a, viewer_a, member_b):
    theirs = TeamFactory(organization=member_b.organization)
    body = {"teams": [theirs.pk]}
    response = _as(api, admin_a).patch(f"/api/v1/members/{viewer_a.membership.pk}/", body, format="json")
    assert response.status_code == 400 and "teams" in response.json()["fields"]


def test_the_last_admin_is_kept(api, admin_a):
    url = f"/api/v1/members/{admin_a.membership.pk}/"
    response = _as(api, admin_a).patch(url, {"active": False}, format="json")
    assert response.status_code == 400
    assert "last admin" in response.json()["fields"]["active"][0]
    response = api.patch(url, {"role": "viewer"}, format="json")
    assert "last admin" in response.json()["fields"]["role"][0]


@pytest.mark.parametrize("who", ["editor_a", "viewer_a"])
def test_editors_and_viewers_cannot_change_members(api, admin_a, who, request):
    member = request.getfixturevalue(who)
    url = f"/api/v1/members/{admin_a.membership.pk}/"
    assert _as(api, member).patch(url, {"role": "viewer"}, format="json").status_code == 403
    assert Membership.objects.get(pk=admin_a.membership.pk).role == Role.ADMIN


def test_members_cannot_be_created_replaced_or_deleted(api, admin_a, viewer_a):
    _as(api, admin_a)
    assert api.post("/api/v1/members/", {"user": 1}, format="json").status_code == 405
    url = f"/api/v1/members/{viewer_a.membership.pk}/"
    assert api.put(url, {"role": "editor"}, format="json").status_code == 405
    assert api.delete(url).status_code == 405
    assert Membership.objects.filter(pk=viewer_a.membership.pk).exists()


def test_anonymous_requests_are_401(api, admin_a):
    assert api.get("/api/v1/members/").status_code == 401
    assert api.get("/api/v1/invitations/").status_code == 401


def test_a_deactivated_member_has_no_access(api, admin_a, viewer_a):
    services.membership_update(membership=viewer_a.membership, active=False)
    assert _as(api, viewer_a).get("/api/v1/members/").status_code == 403


@pytest.mark.parametrize("members", [1, 8])
def test_member_list_runs_constant_queries(api, admin_a, members, django_assert_num_queries):
    team = TeamFactory(organization=admin_a.organization)
    for membership in MembershipFactory.create_batch(members, organization=admin_a.organization):
        membership.teams.add(team)
    _as(api, admin_a)
    with django_assert_num_queries(4):  # membership, count, members with users, teams
        response = api.get("/api/v1/members/")
    assert response.json()["count"] == members + 1


# Invitations ---------------------------------------------------------------------------------------------


def test_admins_invite_and_the_mail_goes_out(api, admin_a, django_capture_on_commit_callbacks):
    team = TeamFactory(organization=admin_a.organization)
    body = {"email": "Ana@Example.com", "role": "editor", "teams": [team.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        response = _as(api, admin_a).post("/api/v1/invitations/", body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert (data["email"], data["role"], data["teams"], data["state"]) == (
        "ana@example.com",
        "editor",
        [team.pk],
        "pending",
    )
    assert data["invited_by"] == admin_a.user.pk
    assert [message.to for message in mail.outbox] == [["ana@example.com"]]
    assert Invitation.objects.get().sent_at is not None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"role": "viewer"}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "ana@example.com", "role": "owner"}, "role"),
        ({"email": "ana@example.com", "teams": "sales"}, "teams"),
        ({"email": "ana@example.com", "key": "x"}, "key"),
        ({"email": "admin-a@example.com"}, "email"),
    ],
)
def test_invitations_are_validated(api, admin_a, body, field):
    response = _as(api, admin_a).post("/api/v1/invitations/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Invitation.objects.exists()


def test_a_second_pending_invitation_is_a_400_that_says_resend(api, admin_a):
    _invite(admin_a)
    response = _as(api, admin_a).post("/api/v1/invitations/", {"email": "ana@example.com"}, format="json")
    assert response.status_code == 400
    assert "resend it instead" in response.json()["fields"]["email"][0]


def test_resend_gives_a_new_link(api, admin_a, django_capture_on_commit_callbacks):
    invitation = _invite(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _as(api, admin_a).post(f"/api/v1/invitations/{invitation.pk}/resend/")
    assert response.status_code == 200 and response.json()["state"] == "pending"
    assert Invitation.objects.get().key != invitation.key
    assert len(mail.outbox) == 1


def test_delete_revokes_and_keeps_the_row(api, admin_a):
    invitation = _invite(admin_a)
    assert _as(api, admin_a).delete(f"/api/v1/invitations/{invitation.pk}/").status_code == 204
    assert api.get(f"/api/v1/invitations/{invitation.pk}/").json()["state"] == "revoked"
    response = api.post(f"/api/v1/invitations/{invitation.pk}/resend/")
    assert response.status_code == 400 and "revoked" in response.json()["fields"]["non_field_errors"][0]


@pytest.mark.parametrize("who", ["editor_a", "viewer_a"])
def test_only_admins_see_or_send_invitations(api, admin_a, who, request):
    invitation = _invite(admin_a)
    _as(api, request.getfixturevalue(who))
    assert api.get("/api/v1/invitations/").status_code == 403
    assert api.get(f"/api/v1/invitations/{invitation.pk}/").status_code == 403
    assert api.post("/api/v1/invitations/", {"email": "x@example.com"}, format="json").status_code == 403
    assert api.post(f"/api/v1/invitations/{invitation.pk}/resend/").status_code == 403
    assert api.delete(f"/api/v1/invitations/{invitation.pk}/").status_code == 403
    assert Invitation.objects.get().revoked_at is None


def test_another_organizations_invitations_are_never_visible(api, admin_a, member_b):
    theirs = _invite(member_b, email="elsewhere@example.com")
    _as(api, admin_a)
    assert api.get("/api/v1/invitations/").json()["count"] == 0
    assert api.get(f"/api/v1/invitations/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/invitations/{theirs.pk}/resend/").status_code == 404
    assert api.delete(f"/api/v1/invitations/{theirs.pk}/").status_code == 404
    assert Invitation.objects.get().revoked_at is None


@pytest.mark.parametrize("invitations", [1, 8])
def test_invitation_list_runs_constant_queries(api, admin_a, invitations, django_assert_num_queries):
    team = TeamFactory(organization=admin_a.organization)
    for number in range(invitations):
        services.invitation_create(
            organization=admin_a.organization,
            email=f"p{number}@example.com",
            teams=[team],
            invited_by=admin_a.user,
        )
    _as(api, admin_a)
    with django_assert_num_queries(4):  # membership, count, invitations, teams
        response = api.get("/api/v1/invitations/")
    assert response.json()["count"] == invitations


def test_the_schema_documents_both_resources(api, admin_a):
    schema = api.get("/api/v1/schema/?format=json").json()
    assert {"/api/v1/members/", "/api/v1/members/{id}/", "/api/v1/invitations/"} <= set(schema["paths"])
    methods = set(schema["paths"]["/api/v1/members/{id}/"])
    assert {"get", "patch"} <= methods and not {"put", "delete"} & methods
    assert "post" in schema["paths"]["/api/v1/invitations/{id}/resend/"]
    assert schema["components"]["schemas"]["PatchedMemberUpdateRequest"]["additionalProperties"] is False
