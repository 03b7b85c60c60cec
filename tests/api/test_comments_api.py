"""/api/v1/comments/: list by objective, key result or KPI; post; PATCH own within 15 minutes; soft DELETE;
hide (admins); and another organization's comments answering 404."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from comments import services
from comments.models import Comment
from tests.kpis.factories import KpiFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/comments/"


@pytest.fixture
def comment(tree_a, viewer_a):
    return services.comment_create(author=viewer_a.user, objective=tree_a["objective"], body="Hello @admin-a")


@pytest.fixture
def comment_b(tree_b, member_b):
    return services.comment_create(author=member_b.user, objective=tree_b["objective"], body="B's secret")


# List and read --------------------------------------------------------------------------------------------


def test_list_filters_by_objective_key_result_and_kpi(as_viewer, tree_a, admin_a, comment, comment_b):
    on_kr = services.comment_create(author=admin_a.user, key_result=tree_a["key_result"], body="On the KR")
    kpi = KpiFactory(organization=admin_a.organization)
    on_kpi = services.comment_create(author=admin_a.user, kpi=kpi, body="On the KPI")

    def ids(query):
        response = as_viewer.get(URL, query)
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids({}) == [comment.pk, on_kr.pk, on_kpi.pk]
    assert ids({"objective": tree_a["objective"].pk}) == [comment.pk, on_kr.pk]
    assert ids({"key_result": tree_a["key_result"].pk}) == [on_kr.pk]
    assert ids({"kpi": kpi.pk}) == [on_kpi.pk]
    assert ids({"objective": tree_a["child"].pk}) == []


def test_a_comment_reads_with_its_author_mentions_and_rendered_body(as_viewer, comment, admin_a, viewer_a):
    body = as_viewer.get(f"{URL}{comment.pk}/").json()
    assert body["author"] == viewer_a.user.pk
    assert body["author_name"] == viewer_a.user.get_full_name()
    assert body["body"] == "Hello @admin-a"
    assert '<span class="mention"' in body["body_html"] and "@admin-a</span>" in body["body_html"]
    assert body["mentions"] == [
        {"id": admin_a.user.pk, "username": "admin-a", "name": admin_a.user.get_full_name()}
    ]
    assert body["deleted"] is False and body["hidden"] is False and body["edited_at"] is None


def test_body_html_escapes_markup_and_makes_links_safe(as_admin, tree_a):
    response = as_admin.post(
        URL, {"objective": tree_a["objective"].pk, "body": "<b>hi</b> https://example.com"}, format="json"
    )
    html = response.json()["body_html"]
    assert "&lt;b&gt;hi&lt;/b&gt;" in html
    assert 'href="https://example.com" rel="nofollow noopener noreferrer" target="_blank"' in html


@pytest.mark.parametrize("size", [1, 10])
def test_list_runs_a_fixed_number_of_queries(as_admin, tree_a, admin_a, size, django_assert_num_queries):
    for n in range(size):
        services.comment_create(author=admin_a.user, objective=tree_a["objective"], body=f"{n} @admin-a")
    with django_assert_num_queries(4):  # membership, count, comments, mentions
        response = as_admin.get(URL)
    assert response.json()["count"] == size


def test_list_needs_authentication(api_client):
    assert api_client.get(URL).status_code == 401


def test_another_organizations_comments_are_not_listed_or_found(as_admin, comment_b, tree_b):
    assert as_admin.get(URL).json()["count"] == 0
    assert as_admin.get(URL, {"objective": tree_b["objective"].pk}).json()["count"] == 0
    assert as_admin.get(f"{URL}{comment_b.pk}/").status_code == 404


# Create ---------------------------------------------------------------------------------------------------


def test_a_viewer_posts_a_comment_on_a_key_result(as_viewer, tree_a, viewer_a):
    response = as_viewer.post(
        URL, {"key_result": tree_a["key_result"].pk, "body": "Ahead of plan"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["objective"], body["key_result"], body["author"]) == (
        tree_a["objective"].pk,
        tree_a["key_result"].pk,
        viewer_a.user.pk,
    )


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"body": "No target"}, "non_field_errors"),
        ({"objective": "A", "kpi": "KPI", "body": "Two targets"}, "non_field_errors"),
        ({"objective": "A", "body": ""}, "body"),
        ({"objective": "A", "body": "x" * 5001}, "body"),
        ({"objective": "B", "body": "Other organization"}, "objective"),
        ({"objective": "A", "body": "hi", "author": 1}, "author"),
        ({"objective": "A", "body": "hi", "colour": "red"}, "colour"),
    ],
)
def test_create_validation(as_admin, tree_a, tree_b, admin_a, payload, field):
    ids = {
        "A": tree_a["objective"].pk,
        "B": tree_b["objective"].pk,
        "KPI": KpiFactory(organization=admin_a.organization).pk,
    }
    payload = {k: ids.get(v, v) if k in ("objective", "kpi") else v for k, v in payload.items()}
    response = as_admin.post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Comment.objects.exists()


def test_create_needs_authentication(api_client, tree_a):
    response = api_client.post(URL, {"objective": tree_a["objective"].pk, "body": "x"}, format="json")
    assert response.status_code == 401


# Edit -----------------------------------------------------------------------------------------------------


def test_the_author_patches_within_15_minutes_and_not_after(api_client, tree_a, viewer_a):
    api_client.force_authenticate(viewer_a.user)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        comment = services.comment_create(author=viewer_a.user, objective=tree_a["objective"], body="Draft")
        clock.shift(timedelta(minutes=10))
        response = api_client.patch(f"{URL}{comment.pk}/", {"body": "Final @admin-a"}, format="json")
        assert response.status_code == 200
        assert response.json()["body"] == "Final @admin-a"
        assert response.json()["edited_at"] is not None
        assert [m["username"] for m in response.json()["mentions"]] == ["admin-a"]
        clock.shift(timedelta(minutes=6))
        response = api_client.patch(f"{URL}{comment.pk}/", {"body": "Too late"}, format="json")
        assert response.status_code == 400
        assert "15 minutes" in response.json()["fields"]["body"][0]
    assert Comment.objects.get(pk=comment.pk).body == "Final @admin-a"


@pytest.mark.parametrize("payload, field", [({"body": ""}, "body"), ({"objective": 1}, "objective")])
def test_patch_validation(as_viewer, comment, payload, field):
    response = as_viewer.patch(f"{URL}{comment.pk}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_nobody_else_patches_a_comment(as_admin, comment):
    assert as_admin.patch(f"{URL}{comment.pk}/", {"body": "Hijack"}, format="json").status_code == 403
    assert Comment.objects.get(pk=comment.pk).body == "Hello @admin-a"


def test_put_is_not_offered(as_viewer, comment):
    assert as_viewer.put(f"{URL}{comment.pk}/", {"body": "x"}, format="json").status_code == 405


def test_patch_needs_authentication(api_client, comment):
    assert api_client.patch(f"{URL}{comment.pk}/", {"body": "x"}, format="json").status_code == 401


def test_another_organizations_comment_cannot_be_patched(as_admin, comment_b):
    assert as_admin.patch(f"{URL}{comment_b.pk}/", {"body": "x"}, format="json").status_code == 404


# Delete ---------------------------------------------------------------------------------------------------


def test_the_author_deletes_softly(as_viewer, comment):
    assert as_viewer.delete(f"{URL}{comment.pk}/").status_code == 204
    body = as_viewer.get(f"{URL}{comment.pk}/").json()
    assert body["deleted"] is True
    assert body["body"] == "" and body["body_html"] == ""
    assert Comment.objects.get(pk=comment.pk).deleted_at is not None


def test_nobody_else_deletes_a_comment(as_admin, comment):
    assert as_admin.delete(f"{URL}{comment.pk}/").status_code == 403
    assert Comment.objects.get(pk=comment.pk).deleted_at is None


def test_delete_needs_authentication(api_client, comment):
    assert api_client.delete(f"{URL}{comment.pk}/").status_code == 401


def test_another_organizations_comment_cannot_be_deleted(as_admin, comment_b):
    assert as_admin.delete(f"{URL}{comment_b.pk}/").status_code == 404
    assert Comment.objects.get(pk=comment_b.pk).deleted_at is None


# Hide -----------------------------------------------------------------------------------------------------


def test_an_admin_hides_a_comment_and_only_admins_read_it(api_client, comment, admin_a, viewer_a):
    api_client.force_authenticate(admin_a.user)
    response = api_client.post(f"{URL}{comment.pk}/hide/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["hidden"] is True and response.json()["body"] == "Hello @admin-a"
    api_client.force_authenticate(viewer_a.user)
    body = api_client.get(f"{URL}{comment.pk}/").json()
    assert body["hidden"] is True and body["body"] == "" and body["body_html"] == ""
    api_client.force_authenticate(admin_a.user)
    assert (
        api_client.post(f"{URL}{comment.pk}/hide/", {"hidden": False}, format="json").json()["hidden"]
        is False
    )


def test_hide_validation(as_admin, comment):
    response = as_admin.post(f"{URL}{comment.pk}/hide/", {"hidden": "perhaps"}, format="json")
    assert response.status_code == 400
    assert "hidden" in response.json()["fields"]


def test_editors_cannot_hide(as_editor, comment):
    assert as_editor.post(f"{URL}{comment.pk}/hide/", {}, format="json").status_code == 403


def test_hide_needs_authentication(api_client, comment):
    assert api_client.post(f"{URL}{comment.pk}/hide/", {}, format="json").status_code == 401


def test_another_organizations_comment_cannot_be_hidden(as_admin, comment_b):
    assert as_admin.post(f"{URL}{comment_b.pk}/hide/", {}, format="json").status_code == 404
