"""How a name becomes comparable: transliterated to ASCII (rigour), split into tokens without
particles, and each token reduced to a key that spelling variants share."""

import re
from collections.abc import Iterable
from functools import lru_cache

from rigour.names import tokenize_name
from rigour.text.translit import ascii_text

# Joining words that say nothing about who someone is; "de la Fuente" matches "Fuente".
PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "y", "e", "da", "das", "do", "dos", "di", "du"}
    | {"van", "von", "der", "den", "le", "bin", "bn", "ibn", "bint", "al", "el"}
)
_FOLDS = (("ph", "f"), ("x", "ks"), ("q", "k"), ("c", "k"), ("z", "s"), ("w", "v"))
_SILENT = frozenset("aeiouyh")


# The Arabic article written onto the word (الشمري): apart, it is a particle like "al-".
_ARABIC_ARTICLE = re.compile(r"(?<!\S)\u0627\u0644(?=\S{2,})")


def _abjad_vowels(token: str) -> str:
    """A romanised Arabic word has no vowels but its و and ي, written w and y: read as the
    vowels they mostly are (ywsf: yusf, for Yusuf)."""
    if len(token) < 3 or set(token) & set("aeiou"):
        return token
    return token[0] + token[1:].replace("w", "u").replace("y", "i")


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    """The ASCII tokens of a name in any script, lower case, without particles and digits."""
    latin = ascii_text(_ARABIC_ARTICLE.sub("\u0627\u0644 ", name)).lower()
    return tuple(
        _abjad_vowels(token)
        for token in tokenize_name(latin)
        if token not in PARTICLES and token.isalpha()
    )


@lru_cache(maxsize=65536)
def token_key(token: str) -> str:
    """A consonant skeleton: transliterations (Aleksei, Alexei; Muhammad, Mohamed and the
    vowel-less romanisation of محمد) share it, so they find each other in the index."""
    folded = token
    for before, after in _FOLDS:
        folded = folded.replace(before, after)
    # A leading vowel stays as one class: Ahmed is not Mohammed, and Yuri is Iouri.
    key: list[str] = ["a"] if folded[:1] in _SILENT and folded[:1] != "h" else []
    for char in folded:
        if char in _SILENT or (key and key[-1] == char):
            continue
        key.append(char)
    # A token of vowels only keeps itself rather than an empty key.
    return ("".join(key) or "=" + token)[:32]


# Romanisations of one sound (Yuri, Iouri, Jurij; Kovalyov, Kovaliov, Kovalev; Youssef,
# Yusuf), longest first.
_ROMANISATIONS = (
    ("dzh", "j"),
    ("tch", "ch"),
    ("iou", "yu"),
    ("ou", "u"),
    ("iu", "yu"),
    ("ju", "yu"),
    ("ia", "ya"),
    ("ja", "ya"),
    ("yo", "e"),
    ("io", "e"),
    ("ye", "e"),
    ("ie", "e"),
    ("ee", "i"),
    ("kh", "h"),
    ("dj", "j"),
    ("ph", "f"),
    ("ck", "k"),
    ("q", "k"),
    ("w", "v"),
    ("x", "ks"),
)
_ENDINGS = ("iy", "ii", "yi", "yy", "ij")


@lru_cache(maxsize=65536)
def token_romanised(token: str) -> str:
    """One spelling for the romanisations of a token, doubled letters single."""
    for before, after in _ROMANISATIONS:
        token = token.replace(before, after)
    if token.endswith(_ENDINGS):
        token = token[:-2] + "i"
    elif token.endswith("y"):
        token = token[:-1] + "i"
    return "".join(char for i, char in enumerate(token) if i == 0 or token[i - 1] != char)


def name_keys(names: Iterable[str]) -> set[str]:
    return {token_key(token) for name in names for token in name_tokens(name)}


def year_key(year: int | str) -> str:
    """A birth year in the index: among namesakes, the one born that year is scored first."""
    return f"#{year}"


def year_keys(birth_dates: Iterable[str]) -> set[str]:
    return {year_key(date[:4]) for date in birth_dates if date[:4].isdigit()}
