from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_time_zone
from notifications.choices import ChannelEvent, NotificationKind, Weekday
from notifications.models import NotificationDefaults, NotificationPreference, TeamChannel

HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class _ChangedFieldsMixin:
    def changed_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.changed_data}


class PreferenceForm(_ChangedFieldsMixin, forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Tell me about"),
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    email = forms.BooleanField(
        label=_("Also send them by email"), required=False, help_text=_("Off: in the app's inbox only.")
    )
    digest_weekday = forms.TypedChoiceField(label=_("Digest day"), choices=Weekday.choices, coerce=int)
    digest_hour = forms.TypedChoiceField(label=_("Digest hour"), choices=HOURS, coerce=int)
    time_zone = forms.CharField(
        label=_("My time zone"),
        validators=[validate_time_zone],
        help_text=_("An IANA time zone name, e.g. Europe/Madrid or America/New_York."),
    )

    class Meta:
        model = NotificationPreference
        fields = ["events", "email", "digest_weekday", "digest_hour", "time_zone"]


class DefaultsForm(_ChangedFieldsMixin, forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events on by default"),
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    email = forms.BooleanField(label=_("Email on by default"), required=False)
    digest_weekday = forms.TypedChoiceField(label=_("Digest day"), choices=Weekday.choices, coerce=int)
    digest_hour = forms.TypedChoiceField(label=_("Digest hour"), choices=HOURS, coerce=int)

    class Meta:
        model = NotificationDefaults
        fields = [
            "events",
            "email",
            "digest_weekday",
            "digest_hour",
            "alert_after_evaluations",
            "emails_per_hour",
        ]


class TeamChannelForm(forms.ModelForm):
    url = forms.URLField(
        label=_("Incoming-webhook URL"),
        assume_scheme="https",
        max_length=500,
        help_text=_("The channel's incoming-webhook address."),
    )
    events = forms.MultipleChoiceField(
        label=_("Post"), choices=ChannelEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = TeamChannel
        fields = ["team", "name", "url", "events"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = self.fields["team"].queryset.filter(organization=organization)
        self.fields["url"].widget.attrs["placeholder"] = "https://hooks.slack.com/services/…"
