"""A service's refusal shown on the form it came from: pages and admin use the same function."""

from django import forms
from django.core.exceptions import ValidationError

from common.exceptions import ApplicationError


def add_service_errors(form: forms.BaseForm, error: ApplicationError | ValidationError) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    if isinstance(error, ApplicationError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
    elif hasattr(error, "error_dict"):
        for name, field_messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, field_messages)
    else:
        form.add_error(None, error)
