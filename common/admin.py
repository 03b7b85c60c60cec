"""Admin scoped to an organization: its admins see and change only their organization's rows."""

from django.contrib import admin

from accounts.scoping import membership_for_user


class OrganizationScopedAdmin(admin.ModelAdmin):
    """`organization_path` is the lookup from the model to its Organization ("" for Organization itself)."""

    organization_path = "organization"

    def _organization(self, request):
        if not hasattr(request, "_admin_membership"):
            request._admin_membership = membership_for_user(request.user)
        membership = request._admin_membership
        return membership.organization if membership and membership.is_admin else None

    def _allowed(self, request) -> bool:
        return (
            request.user.is_active
            and request.user.is_staff
            and (request.user.is_superuser or self._organization(request) is not None)
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        organization = self._organization(request)
        if organization is None:
            return queryset.none()
        return queryset.filter(**{self.organization_path or "pk": organization.pk})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        organization = None if request.user.is_superuser else self._organization(request)
        related = db_field.related_model
        scope = _scope_for(related)
        if organization is not None and scope is not None:
            kwargs["queryset"] = related._default_manager.filter(**{scope: organization.pk})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


def _scope_for(model) -> str | None:
    """How to reach the organization from a related model, when it belongs to one."""
    from django.contrib.auth import get_user_model

    if model is get_user_model():
        return "memberships__organization"
    if model._meta.label == "accounts.Organization":
        return "pk"
    for path in ("organization", "cycle__organization", "objective__cycle__organization"):
        try:
            model._meta.get_field(path.split("__")[0])
        except Exception:  # noqa: BLE001 - FieldDoesNotExist, tried in order
            continue
        return path
    return None
