"""Screening a person against the current version of every loaded list.

The score of a hit is made of parts (docs/architecture.md, "Screening lists and matching"):
`name` — the best pairing of any of the client's names with any listed name or alias,
token by token after transliteration, in any order, forgiving a missing token (a second
surname, a patronymic), initials and typos; then `birth_date` and `country` raise or lower it.
"""

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

from rapidfuzz.distance import OSA, Levenshtein
from rigour.text.phonetics import metaphone

from onboarding.core.compiled import CompiledRead, instance
from onboarding.screening.models import KeyCount, ListEntity, ListVersion, NameKey
from onboarding.screening.names import (
    name_keys,
    name_tokens,
    token_key,
    token_romanised,
    year_key,
)
from onboarding.screening.sql import candidates_by_weight

# A hit at or above this score is reported. Chosen on the labelled set in
# tests/screening/labelled.py: every true variant there, with the birth date and nationality
# an RM types, scores at least this, and clean Chilean names stay under it.
DEFAULT_THRESHOLD = 0.80

# Token similarities.
INITIAL = 0.8  # "J" for "Juan"
SPELLING = 0.9  # the same key and a close spelling: Aleksei and Alexei, Mohamed and mhmd
TYPO_WEIGHT = 0.6  # a typo costs this share of its length
LEAST_TOKEN = 0.5  # a pair scoring less is no pair
# A token of the longer name with no partner: a second surname, a patronymic.
MISSING_TOKEN = 0.04
# A token of the shorter name with no partner: the names differ, unless the rest is telling.
UNPAIRED_TOKEN = 0.25
# Birth dates and countries.
SAME_BIRTH_DATE = 0.05
SAME_BIRTH_YEAR = 0.02
OTHER_BIRTH_YEAR = -0.2
SAME_COUNTRY = 0.03
OTHER_COUNTRY = -0.1
# Entities taken from the index to be scored, those sharing the rarest keys first.
CANDIDATES = 100
# A key more than this share of a list's entities have is left out of the search when the
# client has a rarer one: reading its entries would cost more than it tells.
COMMON_KEY_SHARE = 0.02
# With a common key left out, this many times CANDIDATES are found, then reordered by it.
RERANKED = 5
# The client's birth year ranks namesakes born that year first; less than any name key.
YEAR_WEIGHT = 0.5


@dataclass(frozen=True)
class Person:
    names: list[str]
    birth_date: datetime.date | None = None
    countries: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NameMatch:
    client: str
    listed: str
    score: float


@dataclass(frozen=True)
class Hit:
    dataset: str
    version: int
    entity_id: str
    caption: str
    schema: str
    score: float
    parts: dict[str, float]
    names: list[NameMatch]
    topics: list[str]
    birth_dates: list[str]
    countries: list[str]
    source_url: str | None
    digest: str


def _budget(length: int) -> int:
    return 0 if length <= 3 else 1 if length <= 6 else 2 if length <= 10 else 3


@lru_cache(maxsize=262_144)
def token_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        return INITIAL if a[0] == b[0] else 0.0
    longest = max(len(a), len(b))
    # Two letters swapped are one typo, even in a short word (Wie, Wei).
    distance = OSA.distance(a, b)
    budget = max(_budget(longest), 1 if distance < Levenshtein.distance(a, b) else 0)
    score = 1.0 - TYPO_WEIGHT * distance / longest if distance <= budget else 0.0
    romanised_a, romanised_b = token_romanised(a), token_romanised(b)
    if romanised_a == romanised_b:
        return max(score, SPELLING)
    key = token_key(a)
    if key == token_key(b) and Levenshtein.distance(romanised_a, romanised_b) <= 1:
        # One vowel apart once romanised alike, the consonants the same: Yusuf, Youssef.
        score = max(score, SPELLING - 0.05)
    if len(key) >= 2 and key == token_key(b):
        vowelless = not set(a) & set("aeiou") or not set(b) & set("aeiou")
        # Spelled alike in sound, and not two different names with the same consonants
        # (Mario, Mora): an abjad romanisation has no vowels to compare.
        if vowelless or (metaphone(a) == metaphone(b) and distance <= max(2, longest // 3)):
            score = max(score, SPELLING)
    return score


def _merges(tokens: tuple[str, ...], other: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The tokens, and each way of writing two neighbours as one that the other name has
    (Xi Jin Ping, Xi Jinping)."""
    found = [tokens]
    if 1 < len(tokens) <= 5:
        for i in range(len(tokens) - 1):
            merged = tokens[i] + tokens[i + 1]
            if any(token_similarity(merged, token) >= LEAST_TOKEN for token in other):
                found.append((*tokens[:i], merged, *tokens[i + 2 :]))
    return found


def _align(client: tuple[str, ...], listed: tuple[str, ...]) -> float:
    if not client or not listed:
        return 0.0
    pairs = sorted(
        (
            (token_similarity(a, b), i, j)
            for (i, a), (j, b) in product(enumerate(client), enumerate(listed))
        ),
        reverse=True,
    )
    used_client: set[int] = set()
    used_listed: set[int] = set()
    total = 0.0
    matched = 0
    for similarity, i, j in pairs:
        if similarity < LEAST_TOKEN:
            break
        if i in used_client or j in used_listed:
            continue
        used_client.add(i)
        used_listed.add(j)
        total += similarity
        matched += 1
    shorter, longer = sorted((len(client), len(listed)))
    # One word cannot tell a person from everyone else who bears it.
    if matched < min(2, shorter) or (shorter == 1 and longer > 1):
        return 0.0
    return max(
        0.0,
        total / matched - MISSING_TOKEN * (longer - shorter) - UNPAIRED_TOKEN * (shorter - matched),
    )


def name_similarity(client: str, listed: str) -> float:
    client_tokens = name_tokens(client)
    listed_tokens = name_tokens(listed)
    if client_tokens == listed_tokens and client_tokens:
        return 1.0
    return max(
        (
            _align(a, b)
            for a in _merges(client_tokens, listed_tokens)
            for b in _merges(listed_tokens, client_tokens)
        ),
        default=0.0,
    )


def _birth_date_part(birth_date: datetime.date | None, listed: list[str]) -> float:
    if birth_date is None or not listed:
        return 0.0
    if birth_date.isoformat() in listed:
        return SAME_BIRTH_DATE
    year = str(birth_date.year)
    if any(date[:4] == year for date in listed):
        return SAME_BIRTH_YEAR
    return OTHER_BIRTH_YEAR


def _country_part(countries: list[str], listed: list[str]) -> float:
    if not countries or not listed:
        return 0.0
    return SAME_COUNTRY if set(countries) & set(listed) else OTHER_COUNTRY


@lru_cache(maxsize=65_536)
def _keys_of(name: str) -> set[str]:
    return name_keys([name])


def entity_score(
    person: Person, names: list[str], birth_dates: list[str], countries: list[str]
) -> tuple[float, dict[str, float], list[NameMatch]]:
    """The score of a listed entity for the person, its parts, and the best pairs of names."""
    keys = name_keys(person.names)
    matches = sorted(
        (
            NameMatch(client=client, listed=listed, score=round(name_similarity(client, listed), 4))
            for client in person.names
            for listed in names
            # A name with no key in common is not one the index would have found.
            if keys & _keys_of(listed)
        ),
        key=lambda match: match.score,
        reverse=True,
    )
    name = matches[0].score if matches else 0.0
    parts = {
        "name": name,
        "birth_date": _birth_date_part(person.birth_date, birth_dates),
        "country": _country_part([c.upper() for c in person.countries], countries),
    }
    score = min(1.0, max(0.0, sum(parts.values()))) if name > 0 else 0.0
    return round(score, 4), parts, [match for match in matches[:3] if match.score > 0]


def _candidates(
    version: ListVersion, keys: set[str], birth_date: datetime.date | None
) -> list[int]:
    """Ordinals of the entities sharing the most telling keys: a key's weight falls with the
    number of entities that have it, as a word's does in a search engine. A common key is
    not searched when the client has a rarer one; it only reorders what the rarer ones found,
    read for those entities alone."""
    counts = dict(
        KeyCount.objects.filter(version=version, key__in=keys).values_list("key", "entities")
    )
    if not counts:
        return []
    total = max(version.entity_count, 1)
    weights = {key: math.log(1 + total / count) for key, count in counts.items()}
    common = {key for key, count in counts.items() if count > COMMON_KEY_SHARE * total}
    searched = [(key, weight) for key, weight in weights.items() if key not in common]
    if not searched:
        searched, common = list(weights.items()), set()
    if birth_date is not None:
        searched.append((year_key(birth_date.year), YEAR_WEIGHT))
    found = dict(
        candidates_by_weight(version.pk, searched, CANDIDATES * (RERANKED if common else 1))
    )
    if common:
        for ordinal, key in NameKey.objects.filter(
            version=version, key__in=common, ordinal__in=list(found)
        ).values_list("ordinal", "key"):
            found[ordinal] += weights[key]
    return sorted(found, key=lambda ordinal: (-found[ordinal], ordinal))[:CANDIDATES]


_VERSION_FIELDS = tuple(field.attname for field in ListVersion._meta.concrete_fields)
# Read at every screening: built once (`core.compiled`).
_CURRENT = CompiledRead(
    lambda: (
        ListVersion.objects.filter(is_current=True)
        .order_by("dataset")
        .values_list(*_VERSION_FIELDS)
    )
)


def current_versions() -> list[ListVersion]:
    """The version in use of every loaded list, by dataset."""
    return [instance(ListVersion, _VERSION_FIELDS, row) for row in _CURRENT.rows()]


def screen_person(
    *,
    person: Person,
    threshold: float | None = None,
    limit: int = 10,
    versions: list[ListVersion] | None = None,
) -> list[Hit]:
    """Hits against the current version of every loaded list (or against `versions`, the
    current ones as the caller read them), best first."""
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    keys = name_keys(person.names)
    hits: list[Hit] = []
    if not keys:
        return hits
    for version in current_versions() if versions is None else versions:
        # Scored on the few columns the score needs; the rest only for the hits.
        scored = {
            ordinal: entity_score(person, names, birth_dates, countries)
            for ordinal, names, birth_dates, countries in ListEntity.objects.filter(
                version=version, ordinal__in=_candidates(version, keys, person.birth_date)
            ).values_list("ordinal", "names", "birth_dates", "countries")
        }
        passed = [ordinal for ordinal, (score, _p, _n) in scored.items() if score >= threshold]
        for entity in ListEntity.objects.filter(version=version, ordinal__in=passed):
            score, parts, names = scored[entity.ordinal]
            hits.append(
                Hit(
                    dataset=version.dataset,
                    version=version.pk,
                    entity_id=entity.entity_id,
                    caption=entity.caption,
                    schema=entity.schema,
                    score=score,
                    parts=parts,
                    names=names,
                    topics=list(entity.topics),
                    birth_dates=list(entity.birth_dates),
                    countries=list(entity.countries),
                    source_url=entity.source_url or None,
                    digest=entity.digest,
                )
            )
    hits.sort(key=lambda hit: (-hit.score, hit.dataset, hit.entity_id))
    return hits[:limit]


# Two names of two words or more score a hit only when every word of the shorter one has a
# partner (or all but one, the lengths equal), and partners mostly share a key: a client is
# scored against a listed person when they share two keys, or one that fewer than this many
# clients have (the other word misspelt past its key).
RARE_CLIENT_KEY = 20


class PersonIndex:
    """The clients by their name keys, the other way round from a list's index: after a list
    changes, each new or changed listed person finds the clients they may match without
    screening every client again."""

    def __init__(self) -> None:
        self.people: list[tuple[int, Person]] = []
        self.by_key: dict[str, list[int]] = {}

    def add(self, identifier: int, person: Person) -> None:
        position = len(self.people)
        self.people.append((identifier, person))
        for key in name_keys(person.names):
            self.by_key.setdefault(key, []).append(position)

    def __len__(self) -> int:
        return len(self.people)

    def keys(self) -> set[str]:
        return set(self.by_key)

    def candidates(self, keys: Iterable[str]) -> list[int]:
        shared: dict[int, int] = {}
        rare: set[int] = set()
        for key in keys:
            positions = self.by_key.get(key, ())
            for position in positions:
                shared[position] = shared.get(position, 0) + 1
            if len(positions) < RARE_CLIENT_KEY:
                rare.update(positions)
        return [position for position, count in shared.items() if count >= 2 or position in rare]

    def matching(
        self,
        names: list[str],
        birth_dates: list[str],
        countries: list[str],
        *,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> list[int]:
        """The identifiers of the people this listed person scores at least `threshold` for."""
        keys = {key for name in names for key in _keys_of(name)}
        return self.scored(self.candidates(keys), names, birth_dates, countries, threshold)

    def scored(
        self,
        positions: list[int],
        names: list[str],
        birth_dates: list[str],
        countries: list[str],
        threshold: float = DEFAULT_THRESHOLD,
    ) -> list[int]:
        """Of the candidates at `positions`, the identifiers this listed person scores at
        least `threshold` for."""
        found = []
        for position in positions:
            identifier, person = self.people[position]
            if entity_score(person, names, birth_dates, countries)[0] >= threshold:
                found.append(identifier)
        return found


# Listed people scored against the index at a time.
INDEX_BATCH = 1000


def index_screen(*, index: PersonIndex, version: ListVersion, changed_only: bool) -> set[int]:
    """The people of the index that the version's listed people (or those of them new or
    changed since the version it replaced) score a hit for. The list's own name keys say
    which listed people share a key with anyone in the index: the others are not read."""
    keys_of: dict[int, list[str]] = {}
    shared = NameKey.objects.filter(version=version, key__in=sorted(index.keys()))
    if changed_only:
        changed = ListEntity.objects.filter(version=version, changed=True)
        shared = shared.filter(ordinal__in=changed.values("ordinal"))
    for ordinal, key in shared.values_list("ordinal", "key").iterator(chunk_size=10_000):
        keys_of.setdefault(ordinal, []).append(key)
    candidates = {
        ordinal: positions
        for ordinal, keys in keys_of.items()
        if (positions := index.candidates(keys))
    }
    ordinals = list(candidates)
    found: set[int] = set()
    for start in range(0, len(ordinals), INDEX_BATCH):
        rows = ListEntity.objects.filter(
            version=version, ordinal__in=ordinals[start : start + INDEX_BATCH]
        ).values_list("ordinal", "names", "birth_dates", "countries")
        for ordinal, names, birth_dates, countries in rows:
            found.update(index.scored(candidates[ordinal], names, birth_dates, countries))
    return found
