"""Who is changing things, and from where: the request being answered, if any.

The request is kept rather than its user because the API authenticates a token inside the view, after
every middleware has run; DRF then sets the user on this same request, so reading it when an entry is
written gives the person behind the token too.
"""

from contextvars import ContextVar

from activity.choices import Source

current_request: ContextVar = ContextVar("activity_request", default=None)


def _in_task() -> bool:
    from celery import current_task

    return bool(current_task and current_task.request.id)


def source_and_actor():
    """(source, user or None) of the change being recorded now."""
    request = current_request.get()
    if request is None:
        return (Source.TASK if _in_task() else Source.COMMAND), None
    user = getattr(request, "user", None)
    actor = user if getattr(user, "is_authenticated", False) else None
    match = getattr(request, "resolver_match", None)
    namespaces = match.namespaces if match else []
    if "api" in namespaces:
        return Source.API, actor
    if "admin" in namespaces:
        return Source.ADMIN, actor
    return Source.PAGE, actor
