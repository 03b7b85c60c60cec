"""Spanish formats of dates and numbers on the pages (Django's `date` filter names these)."""

DATE_FORMAT = "j b Y"  # 23 nov 2026
DATETIME_FORMAT = "j b Y H:i"  # 23 nov 2026 14:05
SHORT_DATETIME_FORMAT = "j b, H:i"  # 23 nov, 14:05
MONTH_DAY_FORMAT = "j b"  # 23 nov
YEAR_MONTH_FORMAT = "F \\d\\e Y"  # noviembre de 2026
SHORT_DATE_FORMAT = "d/m/Y"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
