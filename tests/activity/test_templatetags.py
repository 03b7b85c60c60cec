"""How recorded values read on the history timeline."""

from django.utils import translation

from activity.templatetags.activity import history_value


def test_recorded_decimals_read_with_the_page_languages_separator():
    with translation.override("es"):
        assert (history_value("1234.5"), history_value("2026-12-31"), history_value("7")) == (
            "1234,5",
            "2026-12-31",
            "7",
        )
    with translation.override("en"):
        assert history_value("1234.5") == "1234.5"
