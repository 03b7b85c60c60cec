"""Pages: the inbox, preferences, the organization's notification settings and the follow button."""

import pytest
from django.urls import reverse

from notifications import services
from notifications.choices import ChannelEvent, NotificationKind
from notifications.models import Notification, NotificationDefaults, NotificationPreference, ObjectiveFollower
from tests.okrs.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db


def _notice(member, key="k", title="Hello"):
    (notification,) = services.notify(
        organization=member.organization,
        user_ids=[member.user.pk],
        kind=NotificationKind.MENTION,
        key=key,
        title=title,
        body="Body text",
    )
    return notification


def test_menu_shows_the_unread_count(client, viewer_a):
    _notice(viewer_a, key="a")
    _notice(viewer_a, key="b")
    client.force_login(viewer_a.user)
    html = client.get(reverse("dashboards:overview")).content.decode()
    assert '<mark data-testid="unread-count">2</mark>' in html


def test_inbox_lists_and_marks_read(client, viewer_a, admin_a):
    first = _notice(viewer_a, key="a", title="First")
    _notice(viewer_a, key="b", title="Second")
    _notice(admin_a, key="c", title="Not yours")
    client.force_login(viewer_a.user)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "First" in html and "Second" in html and "Not yours" not in html
    assert "2 unread notifications." in html

    response = client.post(reverse("notifications:mark-read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    client.post(reverse("notifications:mark-all-read"))
    assert not Notification.objects.filter(recipient=viewer_a.user, read_at__isnull=True).exists()
    assert "You are all caught up." in client.get(reverse("notifications:inbox")).content.decode()


def test_another_persons_notification_cannot_be_marked(client, viewer_a, admin_a, member_b):
    client.force_login(viewer_a.user)
    for notification in (_notice(admin_a), _notice(member_b)):
        assert client.post(reverse("notifications:mark-read", args=[notification.pk])).status_code == 404
        notification.refresh_from_db()
        assert notification.read_at is None


def test_pages_need_a_signed_in_member(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_preferences_round_trip(client, org_a, viewer_a):
    client.force_login(viewer_a.user)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    form = page.context["form"]
    untouched = {name: form[name].value() for name in form.fields}
    untouched["events"] = list(untouched["events"])
    untouched = {k: v for k, v in untouched.items() if v is not None and v is not False}
    assert client.post(reverse("notifications:preferences"), untouched).status_code == 302
    assert not NotificationPreference.objects.exists()  # saving untouched stores nothing

    data = {**untouched, "time_zone": "America/Bogota", "digest_hour": "7", "events": ["alert", "mention"]}
    del data["email"]  # an unticked box is not sent
    assert client.post(reverse("notifications:preferences"), data).status_code == 302
    stored = NotificationPreference.objects.get(user=viewer_a.user, organization=org_a)
    assert stored.time_zone == "America/Bogota" and stored.digest_hour == 7 and stored.email is False
    assert stored.events == ["alert", "mention"]


def test_preferences_refuse_an_unknown_time_zone(client, viewer_a):
    client.force_login(viewer_a.user)
    data = {"time_zone": "Europe/Atlantis", "digest_weekday": "0", "digest_hour": "9", "events": ["alert"]}
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 400
    assert "is not a time zone" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_settings_are_for_admins_only(client, viewer_a, editor_a):
    for member in (viewer_a, editor_a):
        client.force_login(member.user)
        assert client.get(reverse("notifications:notification-settings")).status_code == 403


def test_admin_changes_the_defaults(client, org_a, admin_a):
    client.force_login(admin_a.user)
    data = {
        "events": ["alert", "check_in_digest"],
        "email": "on",
        "digest_weekday": "4",
        "digest_hour": "16",
        "alert_after_evaluations": "3",
        "emails_per_hour": "20",
    }
    assert client.post(reverse("notifications:notification-settings"), data).status_code == 302
    defaults = NotificationDefaults.objects.get(organization=org_a)
    assert defaults.alert_after_evaluations == 3 and defaults.digest_weekday == 4
    response = client.post(
        reverse("notifications:notification-settings"), {**data, "alert_after_evaluations": "0"}
    )
    assert response.status_code == 400


def test_admin_adds_a_chat_channel_but_not_to_a_private_address(client, org_a, admin_a, chat_receiver):
    from tests.accounts.factories import TeamFactory

    team = TeamFactory(organization=org_a, name="Sales")
    client.force_login(admin_a.user)
    url = reverse("notifications:channel-create")
    refused = {"team": team.pk, "name": "#sales", "url": "http://10.0.0.8/hook", "events": ["alert"]}
    response = client.post(url, refused)
    assert response.status_code == 400 and "inside the network" in response.content.decode()
    accepted = {**refused, "url": chat_receiver.url, "events": [ChannelEvent.CELEBRATION]}
    assert client.post(url, accepted).status_code == 302
    channel = team.chat_channels.get()
    assert channel.events == ["celebration"]
    assert client.post(reverse("notifications:channel-delete", args=[channel.pk])).status_code == 302
    assert not team.chat_channels.exists()


def test_channel_team_must_be_of_the_admins_organization(client, admin_a, org_b):
    from tests.accounts.factories import TeamFactory

    other = TeamFactory(organization=org_b)
    client.force_login(admin_a.user)
    data = {"team": other.pk, "name": "#x", "url": "https://8.8.8.8/hook", "events": ["alert"]}
    assert client.post(reverse("notifications:channel-create"), data).status_code == 400
    assert not other.chat_channels.exists()


def test_follow_toggle(client, org_a, viewer_a, editor_a):
    objective = ObjectiveFactory(cycle__organization=org_a, owner=editor_a.user)
    client.force_login(viewer_a.user)
    page = client.get(objective.get_absolute_url()).content.decode()
    follow_url = reverse("notifications:objective-follow", args=[objective.pk])
    assert f'hx-get="{follow_url}"' in page
    assert "Follow</button>" in client.get(follow_url).content.decode()
    response = client.post(follow_url, {"follow": "1"}, headers={"HX-Request": "true"})
    assert "Following</button>" in response.content.decode()
    assert ObjectiveFollower.objects.filter(objective=objective, user=viewer_a.user).exists()
    client.post(follow_url, {"follow": "0"})
    assert not ObjectiveFollower.objects.exists()


def test_another_organizations_objective_cannot_be_followed(client, viewer_a, org_b):
    objective = ObjectiveFactory(cycle__organization=org_b)
    client.force_login(viewer_a.user)
    url = reverse("notifications:objective-follow", args=[objective.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"follow": "1"}).status_code == 404
    assert not ObjectiveFollower.objects.exists()
