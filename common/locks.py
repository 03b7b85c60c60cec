"""Locks that die with their holder, so a killed worker never blocks the next run.

On PostgreSQL the lock is a session-level advisory lock, `pg_try_advisory_lock(class, key)`, the class
derived from the lock's name (the two-integer key space, as the ingestion lock of kpis.services.ingestion
uses): it is released when the run ends, and by the server when the holder's connection goes away,
killed worker included. On SQLite (one writer at a time anyway, used for development and tests) it is an
exclusive `flock` on a file named after the database and the lock, which the kernel releases when the
holding process dies. There is no time to live in either case.

Within one process a lock is not re-entrant: a second attempt from another thread, or from the same
thread on the same PostgreSQL connection, is refused like one from another process.
"""

import fcntl
import hashlib
import logging
import os
import tempfile
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

_held: set[tuple[str, int]] = set()
_held_guard = threading.Lock()


def lock_class(name: str) -> int:
    """The advisory lock class (a positive 32-bit integer) of a lock name such as "kpis.recompute"."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


@contextmanager
def held_lock(name: str, key: int) -> Iterator[bool]:
    """Yield True when the lock (`name`, `key`) was taken, False when someone else holds it.

    Never waits. The lock is released on leaving the block, or when the holder dies.
    """
    with _held_guard:
        if (name, key) in _held:
            acquired_here = False
        else:
            _held.add((name, key))
            acquired_here = True
    if not acquired_here:
        yield False
        return
    try:
        release = _acquire(name, key)
        try:
            yield release is not None
        finally:
            if release is not None:
                release()
    finally:
        with _held_guard:
            _held.discard((name, key))


def lock_is_held(name: str, key: int) -> bool:
    """Whether a live holder (in this process or another) holds the lock (`name`, `key`) right now."""
    with _held_guard:
        if (name, key) in _held:
            return True
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND classid = %s AND objid = %s AND objsubid = 2)",
                [lock_class(name), key],
            )
            return cursor.fetchone()[0]
    release = _file_lock(name, key)
    if release is None:
        return True
    release()
    return False


def _acquire(name: str, key: int):
    """Take the lock without waiting; return the function that releases it, or None."""
    if connection.vendor == "postgresql":
        return _advisory_lock(name, key)
    return _file_lock(name, key)


def _advisory_lock(name: str, key: int):
    params = [lock_class(name), key]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", params)
        if not cursor.fetchone()[0]:
            return None
    holder = connection.connection  # the session that holds it

    def release():
        if connection.connection is not holder:
            return  # the connection was closed since, and the lock with it
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", params)
        except DatabaseError:
            # An aborted transaction refuses the statement; the lock then ends with the connection.
            logger.warning("Could not release the lock %s:%s; it ends with the connection.", name, key)

    return release


def _file_lock(name: str, key: int):
    path = _lock_path(name, key)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None

    def release():
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)

    return release


def _lock_path(name: str, key: int) -> Path:
    database = hashlib.sha256(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "rumbo-locks"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder / f"{database}-{name}-{key}.lock"
