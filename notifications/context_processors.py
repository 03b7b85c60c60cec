from django.utils.functional import SimpleLazyObject


def notifications(request):
    """The signed-in person's unread count in their organization, for the menu.

    Lazy: the one COUNT query runs only when a template shows it (full pages, not fragments).
    """
    organization = getattr(request, "organization", None)
    user = getattr(request, "user", None)
    if organization is None or not getattr(user, "is_authenticated", False):
        return {"notifications_unread": 0}

    def count():
        from notifications import selectors

        return selectors.unread_count(user=user, organization=organization)

    return {"notifications_unread": SimpleLazyObject(count)}
