"""Locks of common.locks: one holder at a time, and free again the moment the holder dies."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings

from common.locks import held_lock, lock_is_held
from tests.kpis.test_worker import _worker_environment

pytestmark = pytest.mark.django_db(transaction=True)

HOLDER = """
import sys, time
import django
django.setup()
from common.locks import held_lock
with held_lock("tests.drill", 7) as acquired:
    print("held" if acquired else "refused", flush=True)
    time.sleep(60)
"""


def _take_in_thread(name: str, key: int) -> bool:
    outcome = []

    def attempt():
        with held_lock(name, key) as acquired:
            outcome.append(acquired)

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join()
    return outcome[0]


def test_a_held_lock_refuses_a_second_holder_until_released():
    with held_lock("tests.drill", 1) as acquired:
        assert acquired
        assert lock_is_held("tests.drill", 1)
        assert _take_in_thread("tests.drill", 1) is False
        with held_lock("tests.drill", 1) as again:
            assert again is False  # not re-entrant, even on the same connection
        assert _take_in_thread("tests.drill", 2) is True  # another organization is not blocked
    assert not lock_is_held("tests.drill", 1)
    assert _take_in_thread("tests.drill", 1) is True


def test_a_lock_is_released_when_the_block_raises():
    with pytest.raises(RuntimeError), held_lock("tests.drill", 3):
        raise RuntimeError("run failed")
    assert not lock_is_held("tests.drill", 3)


def test_a_killed_holder_frees_the_lock_at_once():
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER],
        cwd=settings.BASE_DIR,
        env=_worker_environment(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert lock_is_held("tests.drill", 7)
        assert _take_in_thread("tests.drill", 7) is False
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
    deadline = time.monotonic() + 5  # the server notices the closed connection within moments
    while lock_is_held("tests.drill", 7) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _take_in_thread("tests.drill", 7) is True
