"""Pages around the dashboards: the error pages and the favicon."""

import pytest
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse

from dashboards import selectors

pytestmark = pytest.mark.django_db


def test_not_found_page_has_the_navigation(client, viewer_a):
    client.force_login(viewer_a.user)
    response = client.get(reverse("dashboards:objective-detail", args=[999999]))
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    assert f'href="{reverse("dashboards:alignment")}"' in content and "Log out" in content


def test_not_found_page_for_someone_signed_out(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content and reverse("accounts:login") in content


def test_forbidden_page_has_the_navigation_and_the_reason(client, viewer_a):
    client.force_login(viewer_a.user)
    response = client.get(reverse("okrs:objective-create"))
    assert response.status_code == 403
    content = response.content.decode()
    assert "You are not allowed to do this" in content and "Viewers cannot change data." in content
    assert f'href="{reverse("dashboards:my-okrs")}"' in content


def test_server_error_page_is_styled_and_needs_no_request(client, viewer_a, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(selectors, "cycle_choice", broken)
    client.raise_request_exception = False
    client.force_login(viewer_a.user)
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong" in content and 'href="/alignment/"' in content
    assert "the database went away" not in content
    # Django renders it without a context; it must not need one.
    assert "Something went wrong" in loader.get_template("500.html").render()


def test_every_nav_link_of_the_server_error_page_exists():
    content = loader.get_template("500.html").render()
    for name in ("overview", "alignment", "team-list", "kpi-scorecard", "my-okrs"):
        assert f'href="{reverse(f"dashboards:{name}")}"' in content


def test_favicon_is_answered_and_linked_from_pages_and_admin(client, admin_a):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == static("favicon.ico")
    admin_a.user.is_staff = True  # organization admins use the admin as staff
    admin_a.user.save()
    client.force_login(admin_a.user)
    for url in (
        reverse("dashboards:help"),
        reverse("admin:index"),
        reverse("admin:okrs_objective_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in content, url
        assert f'<link rel="icon" href="{static("favicon.ico")}"' in content, url
