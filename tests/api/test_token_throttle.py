"""Token guessing is throttled per client address, and the per-token limit is exact under concurrency."""

import secrets
import socket
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import redis
import time_machine
from django.db import connections
from django.test import override_settings
from rest_framework.test import APIClient

from tests.api.conftest import bearer

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.BearerTokenAuthentication"],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.throttling.ApiTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_token": "40/hour"},
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "common.api.Pagination",
    "PAGE_SIZE": 50,
}
ADDRESS = "203.0.113.9"


def _random_token(client, address=ADDRESS):
    return client.get(
        "/api/v1/teams/", HTTP_AUTHORIZATION=f"Bearer {secrets.token_urlsafe(32)}", REMOTE_ADDR=address
    )


@pytest.mark.django_db
@override_settings(API_TOKEN_FAILURE_LIMIT=5, API_TOKEN_FAILURE_WINDOW=300)
def test_random_tokens_get_429_with_retry_after_after_the_limit(api_client, viewer_a):
    assert [_random_token(api_client).status_code for _ in range(5)] == [401] * 5
    throttled = _random_token(api_client)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 301
    # A valid token from that address is refused too, so the answer tells a guesser nothing...
    valid = bearer(viewer_a.user)
    assert api_client.get("/api/v1/teams/", REMOTE_ADDR=ADDRESS, **valid).status_code == 429
    # ...while other addresses are not affected.
    assert api_client.get("/api/v1/teams/", REMOTE_ADDR="198.51.100.1", **valid).status_code == 200
    assert _random_token(api_client, address="198.51.100.1").status_code == 401


@pytest.mark.django_db
@override_settings(API_TOKEN_FAILURE_LIMIT=5, API_TOKEN_FAILURE_WINDOW=300)
def test_the_address_may_try_again_when_the_window_ends(api_client, viewer_a):
    with time_machine.travel(datetime(2026, 11, 23, 10, 1, tzinfo=UTC), tick=False) as clock:
        for _ in range(6):
            _random_token(api_client)
        assert _random_token(api_client).status_code == 429
        clock.shift(timedelta(minutes=5))
        assert (
            api_client.get("/api/v1/teams/", REMOTE_ADDR=ADDRESS, **bearer(viewer_a.user)).status_code == 200
        )


@pytest.mark.django_db
@override_settings(API_TOKEN_FAILURE_LIMIT=5)
def test_valid_tokens_never_count_as_failures(api_client, viewer_a):
    valid = bearer(viewer_a.user)
    statuses = {api_client.get("/api/v1/teams/", REMOTE_ADDR=ADDRESS, **valid).status_code for _ in range(8)}
    assert statuses == {200}


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own, on a free port, stopped afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path), "--save", ""]
        + ["--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline and server.poll() is None, "redis-server did not start"
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.mark.parametrize("backend", ["redis", "locmem"])
@pytest.mark.django_db(transaction=True)
def test_the_per_token_limit_is_exact_under_16_concurrent_clients(settings, viewer_a, backend, request):
    if backend == "redis":
        location = request.getfixturevalue("own_redis")
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
        }
    settings.REST_FRAMEWORK = REST_FRAMEWORK
    header = bearer(viewer_a.user)
    statuses, guard = [], threading.Lock()
    start = threading.Barrier(16)

    def client():
        api = APIClient()
        start.wait()
        mine = [api.get("/api/v1/teams/", **header).status_code for _ in range(8)]
        connections.close_all()  # this thread's own database connection
        with guard:
            statuses.extend(mine)

    with time_machine.travel(datetime(2026, 11, 23, 10, 5, tzinfo=UTC), tick=True):
        APIClient().get("/api/v1/teams/", **header)  # the token's last use is written before the rush
        threads = [threading.Thread(target=client) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(statuses) == 128
    assert statuses.count(200) == 39  # 40 an hour, one used before the rush
    assert statuses.count(429) == 128 - 39
