"""The Spanish catalog is complete and the compiled one that ships with the code matches it."""

from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

LOCALE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"


def test_every_spanish_msgid_is_translated_and_none_is_fuzzy():
    catalog = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert len(catalog) > 1000
    assert untranslated == [] and fuzzy == []


def test_the_compiled_catalog_holds_every_translation_of_the_source_catalog():
    source = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(LOCALE / "django.po"))}
    compiled = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(LOCALE / "django.mo"))}
    stale = [
        msgid
        for key, entry in source.items()
        for msgid in [key[1]]
        if key not in compiled
        or compiled[key].msgstr != entry.msgstr
        or compiled[key].msgstr_plural != {int(k): v for k, v in entry.msgstr_plural.items()}
    ]
    assert stale == [], "Run `make messages` (or compile locale/es/LC_MESSAGES/django.po) and commit the .mo"


def test_django_reads_the_compiled_catalog():
    with translation.override("es"):
        assert gettext("Key results") == "Resultados clave"
        assert gettext("Company priorities") == "Prioridades de la empresa"
