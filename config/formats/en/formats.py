"""English formats of dates and numbers on the pages (Django's `date` filter names these)."""

DATE_FORMAT = "M j, Y"  # Nov 23, 2026
DATETIME_FORMAT = "M j, Y H:i"  # Nov 23, 2026 14:05
SHORT_DATETIME_FORMAT = "M j, H:i"  # Nov 23, 14:05
MONTH_DAY_FORMAT = "M j"  # Nov 23
YEAR_MONTH_FORMAT = "F Y"  # November 2026
SHORT_DATE_FORMAT = "Y-m-d"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
