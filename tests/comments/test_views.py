"""Comment pages: threads on objective and KPI pages, posting with mentions, editing within 15 minutes,
deleting, hiding, mention completion, escaping, and another organization's threads answering 404."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from comments import services
from comments.models import Comment
from tests.kpis.factories import KpiFactory
from tests.okrs.factories import KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def objective(admin_a):
    return ObjectiveFactory(cycle__organization=admin_a.organization, owner=admin_a.user, title="Grow EMEA")


def thread_url(target, pk):
    return reverse("comments:thread", args=[target, pk])


def test_objective_and_kpi_pages_load_their_threads(client, admin_a, objective):
    kpi = KpiFactory(organization=admin_a.organization)
    client.force_login(admin_a.user)
    page = client.get(objective.get_absolute_url()).content.decode()
    assert f'hx-get="{thread_url("objective", objective.pk)}"' in page
    assert 'src="/static/js/comments/mentions.js"' in page
    page = client.get(reverse("dashboards:kpi-detail", args=[kpi.pk])).content.decode()
    assert f'hx-get="{thread_url("kpi", kpi.pk)}"' in page


def test_a_viewer_posts_a_comment_with_htmx_and_sees_the_thread(client, viewer_a, admin_a, objective):
    client.force_login(viewer_a.user)
    response = client.post(thread_url("objective", objective.pk), {"body": "Looks good @admin-a"}, **HTMX)
    assert response.status_code == 200
    comment = Comment.objects.get()
    assert (comment.author, comment.objective) == (viewer_a.user, objective)
    assert list(comment.mentions.all()) == [admin_a.user]
    html = response.content.decode()
    assert f'id="comment-{comment.pk}"' in html
    assert 'class="mention"' in html and "@admin-a</span>" in html


def test_posting_without_javascript_goes_back_to_the_page(client, admin_a, objective):
    client.force_login(admin_a.user)
    response = client.post(thread_url("objective", objective.pk), {"body": "Plain post"})
    assert response.status_code == 302
    assert response.url == objective.get_absolute_url() + "#comments"


def test_a_comment_on_a_key_result_is_posted_from_the_objective_thread(client, admin_a, objective):
    key_result = KeyResultFactory(objective=objective, owner=admin_a.user, title="Pipeline x3")
    client.force_login(admin_a.user)
    response = client.post(
        thread_url("objective", objective.pk), {"body": "On the KR", "key_result": key_result.pk}, **HTMX
    )
    assert response.status_code == 200
    assert Comment.objects.get().key_result == key_result
    assert "on Pipeline x3" in " ".join(response.content.decode().split())


def test_an_empty_comment_comes_back_with_its_error(client, admin_a, objective):
    client.force_login(admin_a.user)
    response = client.post(thread_url("objective", objective.pk), {"body": "  "}, **HTMX)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Comment.objects.exists()


def test_another_organizations_key_result_cannot_be_chosen(client, admin_a, objective, member_b):
    theirs = KeyResultFactory(
        objective__cycle__organization=member_b.organization,
        owner=member_b.user,
        objective__owner=member_b.user,
    )
    client.force_login(admin_a.user)
    body = {"body": "x", "key_result": theirs.pk}
    response = client.post(thread_url("objective", objective.pk), body, **HTMX)
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_script_renders_as_text_and_a_url_as_a_safe_link(client, admin_a, objective):
    services.comment_create(
        author=admin_a.user, objective=objective, body="<script>alert(1)</script> see https://example.com/x"
    )
    client.force_login(admin_a.user)
    html = client.get(thread_url("objective", objective.pk), **HTMX).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert (
        '<a href="https://example.com/x" rel="nofollow noopener noreferrer" target="_blank">https://example.com/x</a>'
        in html
    )


def test_the_author_edits_within_15_minutes(client, viewer_a, objective):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        comment = services.comment_create(author=viewer_a.user, objective=objective, body="Frist")
        client.force_login(viewer_a.user)
        assert "Edit</a>" in client.get(thread_url("objective", objective.pk), **HTMX).content.decode()
        edit = reverse("comments:comment-edit", args=[comment.pk])
        assert client.get(edit).status_code == 200
        response = client.post(edit, {"body": "First"})
        assert response.status_code == 302
        clock.shift(timedelta(minutes=16))
        assert "Edit</a>" not in client.get(thread_url("objective", objective.pk), **HTMX).content.decode()
        response = client.post(edit, {"body": "Second"})
        assert response.status_code == 400
        assert "15 minutes" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "First"


def test_only_the_author_opens_the_edit_page(client, viewer_a, admin_a, objective):
    comment = services.comment_create(author=viewer_a.user, objective=objective, body="Mine")
    client.force_login(admin_a.user)
    assert client.get(reverse("comments:comment-edit", args=[comment.pk])).status_code == 403


def test_the_author_deletes_and_the_comment_stays_as_deleted(client, viewer_a, admin_a, objective):
    comment = services.comment_create(author=viewer_a.user, objective=objective, body="Wrong thread")
    client.force_login(admin_a.user)
    assert client.post(reverse("comments:comment-delete", args=[comment.pk])).status_code == 403
    client.force_login(viewer_a.user)
    response = client.post(reverse("comments:comment-delete", args=[comment.pk]), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Comment deleted." in html and "Wrong thread" not in html
    assert Comment.objects.get(pk=comment.pk).deleted_at is not None


def test_an_admin_hides_a_comment_from_everyone_but_admins(client, admin_a, editor_a, viewer_a, objective):
    comment = services.comment_create(author=viewer_a.user, objective=objective, body="Off topic rant")
    hide = reverse("comments:comment-hide", args=[comment.pk])
    client.force_login(editor_a.user)
    assert client.post(hide).status_code == 403
    client.force_login(admin_a.user)
    html = client.post(hide, **HTMX).content.decode()
    assert "Off topic rant" in html and "only admins see it" in html
    client.force_login(viewer_a.user)
    html = client.get(thread_url("objective", objective.pk), **HTMX).content.decode()
    assert "Off topic rant" not in html and "Comment hidden by an admin." in html
    client.force_login(admin_a.user)
    client.post(hide, {"hidden": "0"})
    assert Comment.objects.get(pk=comment.pk).hidden_at is None


def test_another_organizations_threads_and_comments_are_not_found(client, member_b, admin_a, objective):
    kpi = KpiFactory(organization=admin_a.organization)
    comment = services.comment_create(author=admin_a.user, objective=objective, body="Private")
    client.force_login(member_b.user)
    assert client.get(thread_url("objective", objective.pk)).status_code == 404
    assert client.get(thread_url("kpi", kpi.pk)).status_code == 404
    assert client.post(thread_url("objective", objective.pk), {"body": "Hi"}).status_code == 404
    for name in ("comment-edit", "comment-delete", "comment-hide"):
        assert client.post(reverse(f"comments:{name}", args=[comment.pk])).status_code == 404
    assert Comment.objects.get(pk=comment.pk).deleted_at is None


def test_anonymous_people_are_sent_to_sign_in(client, objective):
    response = client.get(thread_url("objective", objective.pk))
    assert response.status_code == 302 and "login" in response.url
    assert client.get(reverse("comments:mention-suggestions")).status_code == 302


def test_mention_suggestions_list_members_of_the_organization(client, admin_a, viewer_a, member_b):
    client.force_login(admin_a.user)
    response = client.get(reverse("comments:mention-suggestions"), {"q": "view"})
    assert response.json() == {"results": [{"username": "viewer-a", "name": viewer_a.user.get_full_name()}]}
    response = client.get(reverse("comments:mention-suggestions"), {"q": "member"})
    assert response.json() == {"results": []}


@pytest.mark.parametrize("size", [1, 8])
def test_thread_runs_a_fixed_number_of_queries(client, admin_a, objective, size, django_assert_num_queries):
    key_result = KeyResultFactory(objective=objective, owner=admin_a.user)
    for n in range(size):
        services.comment_create(author=admin_a.user, key_result=key_result, body=f"{n} @admin-a")
    client.force_login(admin_a.user)
    # session, user, membership; objective, key results; comments, mentions
    with django_assert_num_queries(7):
        response = client.get(thread_url("objective", objective.pk), **HTMX)
    assert response.content.decode().count('class="comment"') == size
