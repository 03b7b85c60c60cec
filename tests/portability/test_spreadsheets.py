from decimal import Decimal

import pytest

from portability.spreadsheets import csv_lines, neutralise


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Win rate", "Win rate"),
        ("a = b", "a = b"),
        ("", ""),
        (None, ""),
        (Decimal("-12.5000"), "-12.5"),
        (Decimal("1200.0000"), "1200"),
        (-3, "-3"),
        (True, "yes"),
    ],
)
def test_text_a_spreadsheet_would_run_is_quoted_and_numbers_stay_numbers(value, cell):
    assert neutralise(value) == cell


def test_csv_lines_quote_cells_with_commas_and_neutralise_each_row():
    lines = list(csv_lines(["Name", "Note"], [["Pipeline, new", "=1+1"]]))

    assert lines == ["Name,Note\r\n", '"Pipeline, new",\'=1+1\r\n']
