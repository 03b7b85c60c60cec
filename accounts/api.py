"""The base of every API viewset: organization scoping and role permissions.

Use it like this (the whole contract)::

    from accounts.api import AdminWritePermission, OrganizationViewSet, ScopedPrimaryKeyRelatedField

    class KpiViewSet(OrganizationViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, ...):
        serializer_class = KpiSerializer
        filterset_class = KpiFilter            # optional, django-filter
        ordering_fields = ["name", "updated_at"]
        search_fields = ["name"]
        # permission_classes = [AdminWritePermission]  # when only admins may write

        def get_queryset(self):
            return selectors.kpi_list(organization=self.organization)

        def perform_create(self, serializer):
            serializer.instance = services.kpi_create(
                organization=self.organization, **serializer.validated_data
            )

What the base gives:

- After DRF has authenticated the request (session or `Authorization: Bearer <token>`), the
  membership is resolved through `accounts.scoping.membership_for_user` and set on
  `request.membership` and `request.organization`; `self.organization` reads it (None while
  drf-spectacular builds the schema, so `get_queryset` must accept None).
- `get_queryset` must come from a selector scoped to `self.organization`: an object of another
  organization is then not found (404), never forbidden.
- `RolePermission` (the default): members read; editors and admins write; viewers get 403.
  `AdminWritePermission`: members read; only admins write (teams, priorities, cycles).
  A signed-in person without a membership gets 403; an anonymous request gets 401.
- A query parameter the view reads (filters, `search`, `ordering`, `page`, `page_size`) given
  empty (`?updated_since=`) is a 400 naming it, never read as "no filter".
- `ScopedPrimaryKeyRelatedField(scope=lambda organization: ...)`: a writable id field whose
  choices are limited to the request's organization; another organization's id is a 400 naming
  the field, exactly as an id that does not exist.
- Errors have the one shape of `common.api` ({"code", "detail", "fields"}), documented for
  400/401/403/404/413/415/429 by `common.schema.AutoSchema`.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.settings import api_settings

from accounts.languages import language_activate, language_for_membership
from accounts.scoping import membership_for_user

# Path ids are digits only, so "/objectives/abc/" is a 404 before any query.
ID_PATTERN = r"[0-9]{1,18}"


def _resolve_membership(request) -> None:
    """Set request.membership and request.organization for the authenticated user (at most one query).

    The page middleware has already resolved the session user; a token-authenticated or test
    request has a different user, so it is resolved again.
    """
    user = request.user
    cached = getattr(request._request, "membership", None)
    if cached is not None and user.is_authenticated and cached.user_id == user.pk:
        membership = cached
    else:
        membership = membership_for_user(user)
    request.membership = membership
    request.organization = membership.organization if membership else None
    # Error texts in the client's language: Accept-Language when it sends one (LocaleMiddleware has
    # applied it), else the person's preference or their organization's language.
    if "HTTP_ACCEPT_LANGUAGE" not in request.META:
        language_activate(request._request, language_for_membership(membership))


class RolePermission(permissions.BasePermission):
    """Members read; editors and admins write; viewers are refused writes (403)."""

    message = _("Viewers can read but not change data; ask an organization admin for the editor role.")
    no_membership_message = _("You are not a member of any organization.")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        membership = getattr(request, "membership", None)
        if membership is None:
            self.message = self.no_membership_message
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return self.may_write(membership)

    def may_write(self, membership) -> bool:
        return membership.can_write


class AdminWritePermission(RolePermission):
    """Members read; only organization admins create, change or delete (teams, priorities, cycles)."""

    message = _("Only organization admins can change this resource.")

    def may_write(self, membership) -> bool:
        return membership.is_admin


class OrganizationViewSet(viewsets.GenericViewSet):
    """A viewset scoped to the request's organization. See the module docstring."""

    permission_classes = [RolePermission]
    lookup_value_regex = ID_PATTERN

    def perform_authentication(self, request):
        super().perform_authentication(request)
        _resolve_membership(request)

    def filter_queryset(self, queryset):
        self.refuse_empty_parameters()
        self.refuse_unknown_ordering()
        return super().filter_queryset(queryset)

    def refuse_unknown_ordering(self) -> None:
        """`?ordering=colour` would otherwise be ignored silently: a 400 lists the fields that sort."""
        allowed = getattr(self, "ordering_fields", None)
        raw = self.request.query_params.get(api_settings.ORDERING_PARAM)
        if not allowed or raw is None:
            return
        unknown = [term for term in raw.split(",") if term.strip().lstrip("-") not in allowed]
        if unknown:
            message = _("Cannot sort by %(terms)s; sort by one of: %(fields)s (prefix - for descending).") % {
                "terms": ", ".join(unknown),
                "fields": ", ".join(allowed),
            }
            raise exceptions.ValidationError({api_settings.ORDERING_PARAM: [message]})

    def query_parameters(self) -> set[str]:
        """The query parameters this view reads: its filters, search, ordering and pagination."""
        names = set()
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            names.update(filterset_class.base_filters)
        if getattr(self, "search_fields", None):
            names.add(api_settings.SEARCH_PARAM)
        if getattr(self, "ordering_fields", None):
            names.add(api_settings.ORDERING_PARAM)
        if self.paginator is not None:
            paginator = self.paginator
            names.update(n for n in (paginator.page_query_param, paginator.page_size_query_param) if n)
        return names

    def refuse_empty_parameters(self) -> None:
        """`?updated_since=` would otherwise be read as no filter at all: a 400 names the parameter."""
        empty = sorted(
            name
            for name in self.query_parameters()
            if any(value.strip() == "" for value in self.request.query_params.getlist(name))
        )
        if empty:
            message = _("This parameter is empty: give it a value, or leave it out.")
            raise exceptions.ValidationError({name: [message] for name in empty})

    @property
    def organization(self):
        return getattr(self.request, "organization", None)

    @property
    def membership(self):
        return getattr(self.request, "membership", None)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id limited to the request's organization: `scope(organization) -> QuerySet`."""

    default_error_messages = {
        "does_not_exist": _("No object with id {pk_value} in your organization."),
        "incorrect_type": _("Expected an integer id, received {data_type}."),
    }

    def __init__(self, *, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        organization = getattr(request, "organization", None) if request else None
        return self.scope(organization)

    def to_internal_value(self, data):
        # Booleans are ints in Python, and ids past a bigint would overflow the database.
        if isinstance(data, bool) or (isinstance(data, int) and not 0 < data < 2**63):
            self.fail("does_not_exist", pk_value=data)
        if isinstance(data, str) and data.isdigit() and len(data) > 18:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)
