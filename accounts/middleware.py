from accounts.scoping import membership_for_user


class OrganizationMiddleware:
    """Sets request.membership and request.organization for a signed-in person (one query).

    API requests authenticated by a token are resolved again by accounts.api once DRF has
    authenticated them; both paths use the same `membership_for_user`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = membership_for_user(request.user)
        request.organization = request.membership.organization if request.membership else None
        return self.get_response(request)
