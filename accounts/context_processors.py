def membership(request):
    """The signed-in person's membership and organization, for the navigation and edit controls."""
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "organization": getattr(request, "organization", None),
        "can_write": bool(membership and membership.can_write),
        "is_org_admin": bool(membership and membership.is_admin),
        "can_switch_organization": bool(membership and getattr(membership, "organization_count", 1) > 1),
    }
