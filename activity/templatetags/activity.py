import re

from django import template
from django.utils.translation import gettext as _

from common import numbers

register = template.Library()
DECIMAL = re.compile(r"-?\d+\.\d+")


@register.filter
def history_value(value) -> str:
    """A recorded value as text (no query: entries come described by activity.selectors)."""
    if value is None or value == "" or value == []:
        return "–"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    text = str(value)
    # A recorded decimal ("1234.5") reads with the page language's decimal separator ("1234,5").
    decimal_mark, _group = numbers.separators()
    if decimal_mark != "." and DECIMAL.fullmatch(text):
        return text.replace(".", decimal_mark)
    return text
