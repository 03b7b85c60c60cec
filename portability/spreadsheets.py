"""CSV rows that are safe to open in a spreadsheet (pure: no ORM)."""

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

# A cell beginning with one of these is read as a formula by Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell's text; user text that a spreadsheet would run as a formula gets a leading single quote.

    Numbers stay numbers (a negative change is data, not a formula); only text is quoted.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 50.0000 -> 50, without an exponent
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The header and rows as CSV text, a line at a time, every cell neutralised."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])
