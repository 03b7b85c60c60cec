import re
import unicodedata
import zoneinfo

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import emails
from accounts.choices import Role
from accounts.models import Membership, Organization, Team
from common.forms import LocalizedDecimalField


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What will use it, e.g. “CRM sync” or “BI export”.")
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional. The token stops working at the start of this day (UTC)."),
    )

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is not None and expires_on <= timezone.now().date():
            raise forms.ValidationError(_("Choose a day after today."))
        return expires_on


class LoginForm(AuthenticationForm):
    """Django's login form; a person whose every membership was deactivated is told so instead."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "deactivated": _(
            "Your access to Rumbo was deactivated. Ask an admin of your organization to reactivate it."
        ),
    }

    def clean_username(self):
        username = self.cleaned_data["username"]
        # Invited people's usernames are their addresses, stored lower-cased; any case signs them in.
        if "@" in username and not get_user_model().objects.filter(username=username).exists():
            return username.lower()
        return username

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_superuser:
            return
        memberships = list(Membership.objects.filter(user=user).values_list("active", flat=True))
        if memberships and not any(memberships):
            raise forms.ValidationError(self.error_messages["deactivated"], code="deactivated")


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, mailing a plain-text and an HTML part in the person's language."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        url = reverse("accounts:password-reset-confirm", args=[context["uid"], context["token"]])
        user = context["user"]
        emails.send(
            "password_reset",
            {"user": user, "url": f"{context['protocol']}://{context['domain']}{url}"},
            to=to_email,
            language=emails.language_for_user(user),
        )

    def get_users(self, email):
        # People invited to Rumbo, or whose admin created them, may not have chosen a password yet:
        # they may still choose one through this form.
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if _same_address(user.email, email))


def _same_address(stored: str, given: str) -> bool:
    """Case-insensitive comparison as Django's own reset form does it (Unicode TR 36, 2.11.2(B)(2))."""
    return unicodedata.normalize("NFKC", stored).casefold() == unicodedata.normalize("NFKC", given).casefold()


def organization_teams(organization):
    return Team.objects.filter(organization=organization).order_by("name")


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"), help_text=_("The invitation is sent to this address."))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = organization_teams(organization)


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, membership, **kwargs):
        initial = {"role": membership.role, "teams": list(membership.teams.all())}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["teams"].queryset = organization_teams(membership.organization_id)

    def changed_fields(self) -> dict:
        """Only what the person changed, so that an untouched form changes nothing."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


class InvitationAcceptForm(auth_forms.SetPasswordForm):
    """A name and a password (checked by Django's password validators) for a new account."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    field_order = ["first_name", "last_name", "new_password1", "new_password2"]

    def __init__(self, *args, email, **kwargs):
        # An unsaved account, so that the validators can compare the password with the address and name.
        super().__init__(get_user_model()(username=email, email=email), *args, **kwargs)
        self.fields["new_password1"].label = _("Password")
        self.fields["new_password2"].label = _("Password again")

    def clean(self):
        self.user.first_name = self.cleaned_data.get("first_name", "")
        self.user.last_name = self.cleaned_data.get("last_name", "")
        return super().clean()


def _time_zone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class OrganizationSettingsForm(forms.ModelForm):
    """The everyday settings an organization admin changes in the app (the admin site has the rest)."""

    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)

    class Meta:
        model = Organization
        fields = [
            "name",
            "on_track_margin",
            "at_risk_margin",
            "check_in_cadence_days",
            "status_basis",
            "time_zone",
            "language",
            "currency",
            "fiscal_year_start_month",
            "review_required",
            "public_diagnostic",
        ]
        help_texts = {
            "currency": _("The three-letter ISO 4217 code of money amounts, such as USD or EUR."),
        }
        field_classes = {"on_track_margin": LocalizedDecimalField, "at_risk_margin": LocalizedDecimalField}

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise forms.ValidationError(_("Use a three-letter currency code such as USD or EUR."))
        return currency

    def changed_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}
