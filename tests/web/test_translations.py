from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "onboarding" / "locale" / "es" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstr of each plural form, fuzzy) for each entry of a .po file."""
    entries = []
    for block in text.split("\n\n"):
        msgid, msgstrs, current, fuzzy = "", [], "", False
        for line in block.strip().splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith("msgid "):
                current, msgid = "msgid", line[6:].strip('"')
            elif line.startswith("msgstr"):
                current = "msgstr"
                msgstrs.append(line.partition(" ")[2].strip('"'))
            elif line.startswith('"') and current == "msgid":
                msgid += line.strip('"')
            elif line.startswith('"') and current == "msgstr":
                msgstrs[-1] += line.strip('"')
        if msgid:
            entries.append((msgid, msgstrs, fuzzy))
    return entries


def test_it_has_a_complete_spanish_catalogue():
    entries = _entries(CATALOGUE.read_text(encoding="utf-8"))

    untranslated = [msgid for msgid, forms, fuzzy in entries if not all(forms) or fuzzy]

    assert entries
    assert untranslated == []


def test_it_ships_the_compiled_catalogue_next_to_its_source():
    compiled = CATALOGUE.with_suffix(".mo")

    assert compiled.exists()
    assert compiled.stat().st_size > 0
