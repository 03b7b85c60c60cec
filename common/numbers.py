"""Numbers, percentages and money in the reader's language, and numbers typed in it read back exactly.

English: 1,234.5 · 21.5 % · 1,234.5 EUR. Spanish: 1.234,5 · 21,5 % · 1.234,5 €. Separators come from the
format modules (config/formats/<language>/formats.py), so pages, charts and forms agree.

Reading is strict: the decimal separator is the language's, and the other mark only groups thousands
in threes. "21,5" is 21.5 in Spanish and refused in English (never 215); "1.234" is 1234 in Spanish and
1.234 in English. Pure functions: no ORM, no request.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Currency symbols shown after the amount in a language; other currencies show their ISO code.
CURRENCY_SYMBOLS = {"es": {"EUR": "€"}}
MINUS = "−"  # U+2212, also accepted when reading


def separators(language: str | None = None) -> tuple[str, str]:
    """(decimal separator, thousands separator) of a language."""
    language = language or get_language() or "en"
    return (
        formats.get_format("DECIMAL_SEPARATOR", lang=language, use_l10n=True),
        formats.get_format("THOUSAND_SEPARATOR", lang=language, use_l10n=True),
    )


def format_number(
    value, *, places: int | None = None, language: str | None = None, grouping: bool = True
) -> str:
    """A number with the language's separators; `places` fixes the decimals, else up to two, none if whole."""
    if value in (None, ""):
        return "–"
    number = Decimal(value)
    if places is None:
        number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    else:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    decimal_mark, group_mark = separators(language)
    sign = "-" if number < 0 else ""
    whole, _dot, fraction = f"{abs(number):f}".partition(".")
    if grouping:
        whole = _group(whole, group_mark)
    return sign + whole + (decimal_mark + fraction if fraction else "")


def plain_decimal(value: Decimal) -> str:
    """A decimal as plain digits for storage and files, never an exponent: 40.000000 → "40", 5E+1 → "50"."""
    return f"{Decimal(value).normalize():f}"


def format_percent(value, *, places: int | None = None, language: str | None = None) -> str:
    """A value already in percent: 21.5 → "21.5 %" (en), "21,5 %" (es)."""
    if value in (None, ""):
        return "–"
    return f"{format_number(value, places=places, language=language)} %"


def format_fraction(fraction, *, language: str | None = None) -> str:
    """A fraction as a whole percentage: 0.4213 → "42 %"."""
    if fraction in (None, ""):
        return "–"
    return format_percent(Decimal(fraction) * 100, places=0, language=language)


def format_currency(value, currency: str, *, language: str | None = None) -> str:
    """An amount and its currency: "1,234.5 EUR" (en), "1.234,5 €" (es)."""
    if value in (None, ""):
        return "–"
    language = language or get_language() or "en"
    symbol = CURRENCY_SYMBOLS.get(language[:2], {}).get(currency, currency)
    return f"{format_number(value, language=language)} {symbol}".strip()


def parse_decimal(text: str, *, language: str | None = None) -> Decimal:
    """Read a number typed in a language; ValueError with a message for the reader when it is not one."""
    decimal_mark, group_mark = separators(language)
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(MINUS, "-")
    group, point = re.escape(group_mark), re.escape(decimal_mark)
    whole = rf"(\d+|\d{{1,3}}({group}\d{{3}})+)"
    if not re.fullmatch(rf"[+-]?({whole}({point}\d+)?|{point}\d+)", cleaned):
        raise ValueError(_separator_message(cleaned, decimal_mark, group_mark, language))
    try:
        return Decimal(cleaned.replace(group_mark, "").replace(decimal_mark, "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only digits and marks
        raise ValueError(_("Enter a number.")) from error


def _separator_message(text: str, decimal_mark: str, group_mark: str, language: str | None) -> str:
    example = format_number(Decimal("1234.5"), language=language)
    if re.fullmatch(r"[+-]?[\d.,]+", text):
        return _(
            "“%(value)s” is not a number here: the decimal separator is “%(decimal)s” and “%(group)s” only "
            "groups thousands, e.g. %(example)s."
        ) % {"value": text, "decimal": decimal_mark, "group": group_mark, "example": example}
    return _("Enter a number.")


def _group(digits: str, mark: str) -> str:
    head = len(digits) % 3 or 3
    return mark.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])
