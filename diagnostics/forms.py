from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from diagnostics.questions import OPTIONS, QUESTIONS


class DiagnosticForm(forms.Form):
    """One radio group per question, named by the question's key."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(option.key, option.text) for option in OPTIONS]
        for question in QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=question.text,
                help_text=question.why,
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer to this statement.")},
            )

    def answers(self) -> dict[str, str]:
        return {question.key: self.cleaned_data[question.key] for question in QUESTIONS}


class SignupForm(forms.Form):
    organization_name = forms.CharField(label=_("Organization name"), max_length=200)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), help_text=_("Your username."))
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(render_value=False), strip=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
