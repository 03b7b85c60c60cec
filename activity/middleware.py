from auditlog.middleware import AuditlogMiddleware

from activity.context import current_request


class ActivityMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware (remote address, correlation id), plus the request itself, so that
    each history entry names the person and the interface (page, API, admin) of the change."""

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return super().__call__(request)
        finally:
            current_request.reset(token)
