"""Sending: after the commit, once however often a task runs, within each person's hourly limit."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from notifications import services, tasks
from notifications.choices import EmailState, NotificationKind
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _notify(member, key="event-1", **kwargs):
    return services.notify(
        organization=member.organization,
        user_ids=[member.user.pk],
        kind=kwargs.pop("kind", NotificationKind.MENTION),
        key=key,
        title=kwargs.pop("title", "Ana mentioned you"),
        body="See the pipeline numbers.",
        link="/objectives/1/",
    )


def test_a_retried_task_sends_one_mail(editor_a, mailoutbox, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.notification_email_task, "apply_async") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            (notification,) = _notify(editor_a)
    queued.assert_called_once_with(args=[notification.pk], retry=False)

    tasks.notification_email_task(notification.pk)
    tasks.notification_email_task(notification.pk)  # redelivered after a worker restart
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [editor_a.user.email] and mail.subject == "Ana mentioned you"
    assert "See the pipeline numbers." in mail.body and "http://" in mail.body
    assert mail.alternatives[0][1] == "text/html"
    notification.refresh_from_db()
    assert notification.email_state == EmailState.SENT and notification.email_attempts == 1


def test_the_same_event_is_never_told_twice(editor_a):
    assert len(_notify(editor_a)) == 1
    assert _notify(editor_a) == []
    assert Notification.objects.count() == 1


def test_a_broker_down_at_commit_leaves_the_mail_pending_for_the_sweeper(
    editor_a, mailoutbox, django_capture_on_commit_callbacks, eager_celery
):
    with mock.patch.object(tasks.notification_email_task, "apply_async", side_effect=OSError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            (notification,) = _notify(editor_a)
    notification.refresh_from_db()
    assert notification.email_state == EmailState.PENDING and mailoutbox == []

    assert tasks.notifications_sweep_task() == 0  # too fresh: its own task may still come
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert tasks.notifications_sweep_task() == 1
        assert tasks.notifications_sweep_task() == 0
    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.email_state == EmailState.SENT


def test_in_app_only_people_get_no_mail(editor_a, mailoutbox):
    services.preference_update(user=editor_a.user, organization=editor_a.organization, email=False)
    (notification,) = _notify(editor_a)
    assert notification.email_state == EmailState.NONE
    assert services.notification_email_send(notification_id=notification.pk) is False
    assert mailoutbox == []


def test_people_outside_the_organization_are_never_told(editor_a, member_b):
    created = services.notify(
        organization=editor_a.organization,
        user_ids=[editor_a.user.pk, member_b.user.pk],
        kind=NotificationKind.MENTION,
        key="k",
        title="Hello",
    )
    assert [n.recipient_id for n in created] == [editor_a.user.pk]


def test_mail_is_limited_per_person_and_hour_but_the_inbox_gets_everything(editor_a, mailoutbox):
    services.defaults_update(organization=editor_a.organization, emails_per_hour=2)
    notifications = [_notify(editor_a, key=f"e{i}")[0] for i in range(3)]
    for notification in notifications:
        services.notification_email_send(notification_id=notification.pk)
    assert len(mailoutbox) == 2
    states = [Notification.objects.get(pk=n.pk).email_state for n in notifications]
    assert states == [EmailState.SENT, EmailState.SENT, EmailState.LIMITED]
    assert Notification.objects.filter(recipient=editor_a.user).unread().count() == 3

    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        (later,) = _notify(editor_a, key="e-later")
        assert services.notification_email_send(notification_id=later.pk) is True


def test_a_refused_mail_is_tried_again_then_given_up(editor_a, mailoutbox):
    (notification,) = _notify(editor_a)
    with mock.patch("accounts.emails.EmailMultiAlternatives.send", side_effect=OSError("refused")):
        for _ in range(3):
            assert services.notification_email_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.email_state == EmailState.FAILED and notification.email_attempts == 3
    assert services.notification_email_send(notification_id=notification.pk) is False
    assert mailoutbox == []


def test_a_mail_whose_worker_died_while_sending_is_not_sent_again(editor_a, mailoutbox):
    (notification,) = _notify(editor_a)
    Notification.objects.filter(pk=notification.pk).update(
        email_state=EmailState.SENDING, emailed_at=timezone.now() - timedelta(minutes=20)
    )
    assert services.pending_sweep() == []
    notification.refresh_from_db()
    assert notification.email_state == EmailState.FAILED
    assert services.notification_email_send(notification_id=notification.pk) is False
    assert mailoutbox == []


def test_tasks_do_nothing_for_rows_that_are_gone():
    assert tasks.notification_email_task(987654) is False
    assert tasks.channel_message_post_task(987654) is False
