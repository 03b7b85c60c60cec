"""Chat channels: a JSON {"text"} POST to a local receiver, and no request to addresses inside the network."""

import socket
from unittest import mock

import pytest
from django.test import override_settings

from common.exceptions import ApplicationError
from common.net import OutboundAddressRefused, outbound_url_check
from notifications import services, tasks
from notifications.choices import ChannelEvent, DeliveryState
from notifications.models import ChannelMessage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://224.0.0.1/hook",
        "http://240.0.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "ftp://8.8.8.8/hook",
        "file:///etc/passwd",
    ],
)
def test_addresses_inside_the_network_are_refused(url):
    with pytest.raises(OutboundAddressRefused):
        outbound_url_check(url)


def test_public_addresses_pass_and_allowed_networks_open_private_ones():
    assert [str(a) for a in outbound_url_check("https://8.8.8.8/services/x")] == ["8.8.8.8"]
    with override_settings(OUTBOUND_ALLOWED_NETWORKS=["10.0.0.0/8"]):
        assert [str(a) for a in outbound_url_check("http://10.1.2.3/hook")] == ["10.1.2.3"]
        with pytest.raises(OutboundAddressRefused):
            outbound_url_check("http://127.0.0.1/hook")


def test_a_name_is_judged_by_every_address_it_resolves_to():
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, 443)) for ip in ("8.8.8.8", "10.0.0.5")]
    with mock.patch("socket.getaddrinfo", return_value=answers):
        with pytest.raises(OutboundAddressRefused, match="10.0.0.5"):
            outbound_url_check("https://hooks.example.com/x")


def test_registering_a_private_address_is_refused(tree):
    with pytest.raises(ApplicationError) as refusal:
        services.team_channel_create(
            team=tree.team, name="#sales", url="http://192.168.1.20/hooks", events=[ChannelEvent.ALERT]
        )
    assert refusal.value.field == "url"
    assert not tree.team.chat_channels.exists()


def test_a_celebration_is_posted_once_to_the_teams_channel(
    tree, chat_receiver, django_capture_on_commit_callbacks, eager_celery
):
    services.team_channel_create(
        team=tree.team, name="#sales-wins", url=chat_receiver.url, events=[ChannelEvent.CELEBRATION]
    )
    with django_capture_on_commit_callbacks(execute=True):
        ids = services.channel_post(
            team_id=tree.team.pk, event=ChannelEvent.CELEBRATION, key="celebration:kr:1", text="Won it"
        )
        services.channel_post(team_id=tree.team.pk, event=ChannelEvent.ALERT, key="alert:kr:1", text="Lost")
    assert chat_receiver.bodies == [{"text": "Won it"}]
    tasks.channel_message_post_task(ids[0])  # a retried task posts nothing again
    assert chat_receiver.bodies == [{"text": "Won it"}]
    assert ChannelMessage.objects.get(pk=ids[0]).state == DeliveryState.SENT


def test_a_receiver_error_is_tried_again_by_the_sweeper(tree, chat_receiver):
    channel = services.team_channel_create(
        team=tree.team, name="#sales", url=chat_receiver.url, events=[ChannelEvent.ALERT]
    )
    chat_receiver.status = 500
    (pk,) = services.channel_post(team_id=tree.team.pk, event=ChannelEvent.ALERT, key="a", text="Off track")
    assert services.channel_message_send(message_id=pk) is False
    message = ChannelMessage.objects.get(pk=pk)
    assert message.state == DeliveryState.PENDING and message.status_code == 500
    chat_receiver.status = 200
    assert services.channel_message_send(message_id=pk) is True
    assert len(chat_receiver.bodies) == 2 and channel.messages.get().state == DeliveryState.SENT


def test_delivery_checks_the_address_again(tree, chat_receiver):
    services.team_channel_create(
        team=tree.team, name="#sales", url=chat_receiver.url, events=[ChannelEvent.ALERT]
    )
    (pk,) = services.channel_post(team_id=tree.team.pk, event=ChannelEvent.ALERT, key="a", text="Off track")
    with override_settings(OUTBOUND_ALLOWED_NETWORKS=[]):
        assert services.channel_message_send(message_id=pk) is False
    message = ChannelMessage.objects.get(pk=pk)
    assert message.state == DeliveryState.FAILED and "inside the network" in message.error
    assert chat_receiver.bodies == []
