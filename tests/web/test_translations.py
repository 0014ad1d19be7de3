from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "onboarding" / "locale" / "es" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for each entry of a .po file, enough to check completeness."""
    entries = []
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        current = None
        parts: dict[str, str] = {"msgid": "", "msgstr": ""}
        for line in lines:
            if line.startswith(("msgid ", "msgstr ")):
                current, _, rest = line.partition(" ")
                parts[current] = rest.strip('"')
            elif line.startswith('"') and current:
                parts[current] += line.strip('"')
        if parts["msgid"]:
            entries.append((parts["msgid"], parts["msgstr"], fuzzy))
    return entries


def test_it_has_a_complete_spanish_catalogue():
    entries = _entries(CATALOGUE.read_text(encoding="utf-8"))

    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]

    assert entries
    assert untranslated == []


def test_it_ships_the_compiled_catalogue_next_to_its_source():
    compiled = CATALOGUE.with_suffix(".mo")

    assert compiled.exists()
    assert compiled.stat().st_size > 0
