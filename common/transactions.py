from collections.abc import Callable

from django.db import transaction


def on_commit_once(key: str, func: Callable[[], None]) -> None:
    """Run `func` after the current transaction commits, once however many times it is asked.

    Loading a hundred check-ins in one transaction enqueues one recomputation, not a hundred.
    """
    connection = transaction.get_connection()
    if any(getattr(callback, "once_key", None) == key for _, callback, _ in connection.run_on_commit):
        return

    def callback():
        func()

    callback.once_key = key
    transaction.on_commit(callback)
