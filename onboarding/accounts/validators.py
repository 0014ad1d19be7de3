"""Checks on the e-mail addresses people sign in with."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _alphabet(character: str) -> str | None:
    """The alphabet of a letter or digit: the first word of its Unicode name ("LATIN",
    "CYRILLIC", "GREEK", "FULLWIDTH"...). None for what every alphabet shares: ASCII digits,
    punctuation, accents written as separate marks."""
    if character.isascii() and not character.isalpha():
        return None
    if unicodedata.category(character)[0] not in "LN":
        return None
    return unicodedata.name(character, "UNNAMED").split(" ", 1)[0]


def email_script_validate(value: str) -> None:
    """Refuses an address whose letters come from more than one alphabet, such as a Cyrillic
    a (U+0430) in "example.com": it would read as another person's address."""
    alphabets = {_alphabet(character) for character in value} - {None}
    if len(alphabets) > 1:
        raise ValidationError(
            _(
                "This address mixes alphabets (for example a Cyrillic letter among Latin ones), "
                "so it could pass for another address. Type it in one alphabet."
            ),
            code="mixed_scripts",
        )
