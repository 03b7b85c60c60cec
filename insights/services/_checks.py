from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from common.people import person_name


def check_member(user, *, organization, field: str = "owner") -> None:
    """An owner must be an active member of the organization."""
    if user is not None and account_selectors.membership_role(user=user, organization=organization) is None:
        raise ValidationError(
            {field: _("%(person)s is not a member of this organization.") % {"person": person_name(user)}}
        )


def check_same_organization(items, *, organization, field: str) -> None:
    """Every item (key results, KPIs, a team) belongs to the organization."""
    for item in items:
        owner = getattr(item, "organization_id", None)
        if owner is None and hasattr(item, "objective"):
            owner = item.objective.cycle.organization_id
        if owner != organization.pk:
            raise ValidationError({field: _("Every item must belong to this organization.")})
