"""Loading a sanctions list of a million people, and screening one client against it.

Generates a FollowTheMoney JSON-lines file of `--entities` made-up listed people
(`onboarding.screening.demo`: names in Latin with accents, Cyrillic, Arabic and Chinese,
romanised aliases, birth dates, nationalities), loads it into PostgreSQL (the database in
BENCH_DATABASE_URL, created if missing, emptied first) with production settings, and prints
the load time (target: ≤ 10 min for 1,000,000) and the peak resident memory as the load goes
(it must not grow with the file). Then it screens `--clients` clients one at a time — half
true variants of listed people (another romanisation, reordered, without a name, a typo),
half clean Chilean names — and prints p50/p95 (target: p95 ≤ 200 ms), the share of variants
found and the clean names that hit.

    uv run python bench/screening.py [--entities 1000000] [--clients 400] [--sqlite] [--reuse]

`--sqlite` measures the embedded default instead (a new SQLite file in a temporary DATA_DIR);
`--reuse` screens against the list an earlier PostgreSQL run loaded.
"""

import argparse
import datetime
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import production_environment

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_screening"
)
production_environment(database_url=DATABASE_URL, prefix="bench-screening-")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _variant(rng: random.Random, name: str) -> str:
    """How an RM might type a listed name: reordered, a name left out, or a typo."""
    from rigour.text.translit import ascii_text

    words = ascii_text(name).split()
    how = rng.choice(("reorder", "drop", "typo", "as-is"))
    if how == "reorder" and len(words) > 1:
        words = [words[-1], *words[:-1]]
    elif how == "drop" and len(words) > 2:
        words.pop(1)
    elif how == "typo":
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        word = words[longest]
        if len(word) > 5:
            at = rng.randrange(1, len(word) - 1)
            words[longest] = word[:at] + word[at + 1 :]
    return " ".join(words)


def _load(entities: int, *, sqlite: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    from bench.support import database_fresh, vacuum_analyze
    from onboarding.screening.demo import synthetic_file_write
    from onboarding.screening.loading import screening_list_load

    if sqlite:
        call_command("migrate", verbosity=0)
    else:
        database_fresh()
    path = Path(tempfile.mkdtemp(prefix="bench-screening-file-")) / "entities.ftm.json"
    started = time.perf_counter()
    synthetic_file_write(path, entities)
    size = path.stat().st_size / 1024 / 1024
    print(
        f"file: {entities:,} entities, {size:,.0f} MiB, written in "
        f"{time.perf_counter() - started:.0f} s"
    )

    baseline = _peak_mib()
    started = time.perf_counter()
    marks: list[tuple[int, float]] = []
    step = max(entities // 10, 1)

    def progress(lines: int) -> None:
        if not marks or lines - marks[-1][0] >= step:
            marks.append((lines, _peak_mib()))
            elapsed = time.perf_counter() - started
            print(f"  {lines:>9,} lines  {elapsed:6.0f} s  peak RSS {marks[-1][1]:6.0f} MiB")

    version = screening_list_load(path=path, dataset="sanctions", progress=progress)
    seconds = time.perf_counter() - started
    print(
        f"load: {version.entity_count:,} entities in {seconds:.0f} s "
        f"({version.entity_count / seconds:,.0f}/s, target ≤ 600 s for 1,000,000); "
        f"peak RSS {baseline:.0f} MiB before, {_peak_mib():.0f} MiB after"
    )
    path.unlink()
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        vacuum_analyze()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=400)
    parser.add_argument("--sqlite", action="store_true", help="the embedded default instead")
    parser.add_argument(
        "--reuse", action="store_true", help="screen against the list an earlier run loaded"
    )
    arguments = parser.parse_args()

    from bench.support import database_ensure

    if arguments.sqlite:
        os.environ.pop("DATABASE_URL")
    else:
        database_ensure(DATABASE_URL)
    import django

    django.setup()

    from django.db import connection

    from bench.support import percentiles
    from onboarding.screening.matching import Person, screen_person
    from onboarding.screening.models import ListEntity, ListVersion
    from tests.screening.labelled import clean_chileans

    print(f"database: {connection.vendor}")
    if not arguments.reuse:
        _load(arguments.entities, sqlite=arguments.sqlite)
    rng = random.Random(7)
    version = ListVersion.objects.get(dataset="sanctions", is_current=True)
    picked = rng.sample(range(1, version.entity_count + 1), arguments.clients // 2)
    variants = []
    for entity in ListEntity.objects.filter(version=version, ordinal__in=picked):
        born = entity.birth_dates[0]
        # As the RM types the client: a full birth date (the list may know the year only),
        # the nationality, and the name as one of the list's romanisations, varied.
        client = Person(
            names=[_variant(rng, rng.choice(entity.names[1:] or entity.names))],
            birth_date=datetime.date.fromisoformat(born if len(born) == 10 else born + "-07-01"),
            countries=entity.countries,
        )
        variants.append((entity.entity_id, client))
    clean = clean_chileans(arguments.clients - len(variants))

    timings: list[float] = []
    found = 0
    for entity_id, client in variants:
        began = time.perf_counter()
        hits = screen_person(person=client)
        timings.append((time.perf_counter() - began) * 1000)
        found += any(hit.entity_id == entity_id for hit in hits)
    false_hits = 0
    for person in clean:
        client = Person(names=[person.name], birth_date=person.birth_date, countries=["CHL"])
        began = time.perf_counter()
        hits = screen_person(person=client)
        timings.append((time.perf_counter() - began) * 1000)
        false_hits += bool(hits)
    p50, p95 = percentiles(timings)
    print(f"screening one client: p50 {p50:.0f} ms, p95 {p95:.0f} ms (target p95 ≤ 200 ms)")
    print(
        f"variants found: {found}/{len(variants)} (with birth date and nationality); "
        f"clean Chilean names with a hit: {false_hits}/{len(clean)}"
    )


if __name__ == "__main__":
    main()
