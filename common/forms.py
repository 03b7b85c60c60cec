"""One-time form tokens: a form submitted twice (a double click, a retried request, the back button and
Submit again) is saved once; the second submission is shown the saved result.

An unbound form carries a hidden, signed nonce. The view claims the nonce just before it saves
(`form_token_claim`), records where the result is shown once it is saved (`form_token_done`), and gives
the nonce back when saving fails (`form_token_release`), so that the corrected form can be sent again.
Claims live in the cache (an atomic `add`); when the cache cannot be reached, forms are saved as before
(degrading open, logged). A form posted without a token (scripts, old pages) is not deduplicated.
"""

import logging
import secrets
from decimal import Decimal

from django import forms
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common import numbers

logger = logging.getLogger(__name__)

SALT = "rumbo.form-token"
MAX_AGE_SECONDS = 24 * 60 * 60
IN_PROGRESS = "…"


class _TokenField(forms.CharField):
    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False  # a token is not something the user changed


class OneTimeTokenForm(forms.Form):
    """Adds the hidden `form_token` field; `cleaned_data` never carries it (it is `self.token_nonce`)."""

    form_token = _TokenField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.token_nonce = None
        if not self.is_bound:
            self.initial["form_token"] = signing.dumps(secrets.token_urlsafe(16), salt=SALT)

    def clean(self):
        cleaned_data = super().clean()
        token = cleaned_data.pop("form_token", None)
        if token:
            try:
                self.token_nonce = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
            except signing.BadSignature as error:  # shown above the form, as the field is hidden
                raise forms.ValidationError(
                    _("This form has expired; reload the page and send it again.")
                ) from error
        return cleaned_data


def _key(form: OneTimeTokenForm) -> str:
    return f"form-token:{form.token_nonce}"


def form_token_claim(form: OneTimeTokenForm) -> str | None:
    """None when this submission may save (first of its token, or no token); otherwise what the first
    one recorded: the URL of its result, or IN_PROGRESS while it is still being saved."""
    if not form.token_nonce:
        return None
    try:
        if cache.add(_key(form), IN_PROGRESS, timeout=MAX_AGE_SECONDS):
            return None
        return cache.get(_key(form)) or IN_PROGRESS
    except Exception:  # the cache is down: save as if there were no token
        logger.warning("Form token not checked: the cache cannot be reached.", exc_info=True)
        return None


def form_token_done(form: OneTimeTokenForm, result_url: str) -> None:
    """Record where the saved result is shown, for a replay of the same form."""
    _cache_call(cache.set, form, result_url, timeout=MAX_AGE_SECONDS)


def form_replayed(request, replay: str, message: str, fallback):
    """A create form sent again: show what the first submission saved (or `fallback` while it is still
    being saved), and save nothing."""
    from django.contrib import messages
    from django.shortcuts import redirect

    messages.info(request, message)
    return redirect(replay if replay != IN_PROGRESS else fallback)


def form_token_release(form: OneTimeTokenForm) -> None:
    """Saving failed: the same form may be sent again once corrected."""
    _cache_call(cache.delete, form)


def _cache_call(method, form, *args, **kwargs) -> None:
    if not form.token_nonce:
        return
    try:
        method(_key(form), *args, **kwargs)
    except Exception:
        logger.warning("Form token not recorded: the cache cannot be reached.", exc_info=True)


class LocalizedDecimalInput(forms.TextInput):
    """A stored decimal, whole, with the reader's decimal separator: 45.25 opens as "45,25" in Spanish."""

    def format_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            decimal_mark, _group = numbers.separators()
            return f"{Decimal(value).normalize():f}".replace(".", decimal_mark)
        return super().format_value(value)


class LocalizedDecimalField(forms.DecimalField):
    """A decimal typed in the reader's language: "21,5" in Spanish, "21.5" in English (common.numbers).

    A text input, not a number input (browsers read "21,5" in a number input as 215 before the server
    sees it), with the numeric keyboard on phones. The stored value opens in the same format, whole,
    so an edit form saved untouched stores what it showed.
    """

    widget = LocalizedDecimalInput

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                value = numbers.parse_decimal(value)
            except ValueError as error:
                raise ValidationError(str(error), code="invalid") from error
        return super().to_python(value)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}
