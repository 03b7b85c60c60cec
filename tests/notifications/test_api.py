"""/api/v1/notifications/: your own notifications only, marking read, preferences and defaults."""

import pytest

from notifications import services
from notifications.choices import NotificationKind
from notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


def _notice(member, key="k", title="Hello"):
    (notification,) = services.notify(
        organization=member.organization,
        user_ids=[member.user.pk],
        kind=NotificationKind.MENTION,
        key=key,
        title=title,
        link="/objectives/1/",
    )
    return notification


def test_list_shows_only_your_own_notifications(api_client, viewer_a, admin_a, member_b):
    mine = _notice(viewer_a, title="Mine")
    _notice(admin_a, title="The admin's")
    _notice(member_b, title="Another organization's")
    api_client.force_authenticate(viewer_a.user)
    response = api_client.get(URL)
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["Mine"]
    row = response.json()["results"][0]
    assert row["id"] == mine.pk and row["read_at"] is None and row["kind"] == "mention"
    assert row["link"] == "/objectives/1/"


def test_unread_filter(api_client, viewer_a):
    read = _notice(viewer_a, key="a", title="Read")
    _notice(viewer_a, key="b", title="Unread")
    services.notification_mark_read(notification=read)
    api_client.force_authenticate(viewer_a.user)
    assert [r["title"] for r in api_client.get(URL, {"unread": "true"}).json()["results"]] == ["Unread"]
    assert [r["title"] for r in api_client.get(URL, {"unread": "false"}).json()["results"]] == ["Read"]
    response = api_client.get(URL, {"unread": "maybe"})
    assert response.status_code == 400 and "unread" in response.json()["fields"]


def test_viewers_mark_one_and_all_read(api_client, viewer_a):
    first, second, third = (_notice(viewer_a, key=k) for k in "abc")
    api_client.force_authenticate(viewer_a.user)
    response = api_client.post(f"{URL}{first.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert api_client.post(f"{URL}{first.pk}/read/").json()["read_at"] == response.json()["read_at"]
    assert api_client.post(f"{URL}read-all/").json() == {"marked": 2}
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_another_persons_or_organizations_notification_is_not_found(api_client, viewer_a, admin_a, member_b):
    theirs = _notice(admin_a)
    other_org = _notice(member_b)
    api_client.force_authenticate(viewer_a.user)
    for notification in (theirs, other_org):
        assert api_client.get(f"{URL}{notification.pk}/").status_code == 404
        assert api_client.post(f"{URL}{notification.pk}/read/").status_code == 404
    assert Notification.objects.filter(read_at__isnull=False).count() == 0
    api_client.post(f"{URL}read-all/")
    assert Notification.objects.filter(read_at__isnull=False).count() == 0


def test_anonymous_requests_are_refused(api_client, viewer_a):
    notification = _notice(viewer_a)
    assert api_client.get(URL).status_code == 401
    assert api_client.post(f"{URL}{notification.pk}/read/").status_code == 401
    assert api_client.get(f"{URL}preferences/").status_code == 401


@pytest.mark.parametrize("count", [1, 12])
def test_list_runs_constant_queries(api_client, viewer_a, count, django_assert_num_queries):
    for index in range(count):
        _notice(viewer_a, key=f"k{index}")
    api_client.force_authenticate(viewer_a.user)
    with django_assert_num_queries(3):  # membership, count, notifications
        assert api_client.get(URL).status_code == 200


def test_preferences_start_from_the_organizations_defaults_and_change(api_client, org_a, viewer_a):
    org_a.time_zone = "Europe/Madrid"
    org_a.save()
    api_client.force_authenticate(viewer_a.user)
    body = api_client.get(f"{URL}preferences/").json()
    assert body["time_zone"] == "Europe/Madrid" and body["digest_hour"] == 9 and body["email"] is True
    assert set(body["events"]) == set(NotificationKind.values)

    response = api_client.patch(
        f"{URL}preferences/",
        {"time_zone": "America/Lima", "email": False, "events": ["alert"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["time_zone"] == "America/Lima" and response.json()["events"] == ["alert"]
    stored = NotificationPreference.objects.get(user=viewer_a.user)
    assert stored.email is False and stored.digest_hour == 9


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"digest_hour": 24}, "digest_hour"),
        ({"digest_weekday": 7}, "digest_weekday"),
        ({"events": ["gossip"]}, "events"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_preferences_validation(api_client, viewer_a, body, field):
    api_client.force_authenticate(viewer_a.user)
    response = api_client.patch(f"{URL}preferences/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not NotificationPreference.objects.exists()


def test_preferences_are_per_organization(api_client, viewer_a, member_b):
    services.preference_update(user=member_b.user, organization=member_b.organization, time_zone="Asia/Tokyo")
    api_client.force_authenticate(viewer_a.user)
    assert api_client.get(f"{URL}preferences/").json()["time_zone"] == "UTC"


def test_admins_change_the_defaults_and_others_read_them(api_client, admin_a, viewer_a):
    api_client.force_authenticate(viewer_a.user)
    assert api_client.get(f"{URL}defaults/").json()["alert_after_evaluations"] == 2
    assert (
        api_client.patch(f"{URL}defaults/", {"alert_after_evaluations": 3}, format="json").status_code == 403
    )

    api_client.force_authenticate(admin_a.user)
    response = api_client.patch(
        f"{URL}defaults/", {"alert_after_evaluations": 3, "emails_per_hour": 5}, format="json"
    )
    assert response.status_code == 200 and response.json()["alert_after_evaluations"] == 3
    invalid = api_client.patch(f"{URL}defaults/", {"alert_after_evaluations": 0}, format="json")
    assert invalid.status_code == 400 and "alert_after_evaluations" in invalid.json()["fields"]
