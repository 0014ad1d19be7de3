"""Screening every client again after a list changed, as the `clients_rescreen` task does:
`--clients` onboarded clients (Chilean names, two surnames, birth dates), each screened once
at submission, against a list of `--entities` synthetic listed persons (names in several
scripts, aliases, birth dates, nationalities; `screening.demo`) among which `--namesakes`
Chilean PEPs with the clients' names. Target: 100,000 clients in ≤ 15 minutes.

Two list changes are measured:
1. the list's first version: every listed person is new, and each is compared with every
   client's names (`PersonIndex`); the clients it may match are screened again;
2. its next version, with `--changed` of the listed people changed (a birth date, an alias),
   half as many removed and as many added: only those are compared.

Production settings (DEBUG off) on PostgreSQL (BENCH_DATABASE_URL, created if missing,
emptied first). The clients are written with COPY (drafts encrypted as a save would); the
lists are loaded through `screening_list_load`. Prints each load's time and each
re-screening's time, the listed people compared, the clients screened again and the hits.

    uv run python bench/rescreen.py [--clients 100000] [--entities 1000000] [--changed 0.02]
"""

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import production_environment

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_rescreen"
)
production_environment(database_url=DATABASE_URL, prefix="bench-rescreen-")


def _clients(count: int, tenant: object, rm: object) -> None:
    from django.utils import timezone

    from bench.scale import FIRST_NAMES, SURNAMES
    from bench.support import copy_rows, sequences_reset
    from onboarding.cases.lifecycle import CaseStatus
    from onboarding.cases.models import Case

    dice = random.Random(5)
    now = timezone.now()

    def rows():
        for number in range(1, count + 1):
            first, paternal, maternal = (
                dice.choice(FIRST_NAMES),
                dice.choice(SURNAMES),
                dice.choice(SURNAMES),
            )
            born = datetime.date(1940, 1, 1) + datetime.timedelta(days=dice.randrange(25_000))
            yield {
                "id": number,
                "tenant_id": tenant.pk,  # type: ignore[attr-defined]
                "owner_id": rm.pk,  # type: ignore[attr-defined]
                "client_name": f"{first} {paternal} {maternal}",
                "status": CaseStatus.IN_ALTAFID,
                "drafts": {
                    "client": {
                        "first_name": [first],
                        "paternal_last_name": [paternal],
                        "maternal_last_name": [maternal],
                        "date_of_birth": [born.isoformat()],
                    },
                    "sales": {"country_of_citizenship": ["CHL"], "country_of_birth": ["CHL"]},
                },
                "created_at": now,
                "updated_at": now,
                "updated_by_id": rm.pk,  # type: ignore[attr-defined]
            }

    copy_rows(Case, rows())
    sequences_reset(Case)


def _screened_at_submission(tenant: object) -> None:
    """A screening run per client, as at submission, before any list was loaded."""
    from django.utils import timezone

    from bench.support import copy_rows
    from onboarding.cases.models import Case
    from onboarding.kyc.models import ScreeningReason, ScreeningRun

    now = timezone.now()
    # Read before the COPY starts: one connection cannot stream both ways at once.
    case_ids = list(Case.objects.values_list("pk", flat=True))
    copy_rows(
        ScreeningRun,
        (
            {
                "tenant_id": tenant.pk,  # type: ignore[attr-defined]
                "case_id": case_id,
                "reason": ScreeningReason.SUBMITTED,
                "person_digest": "bench",
                "versions": {},
                "screened_at": now,
            }
            for case_id in case_ids
        ),
    )


def _namesake(rng: random.Random, number: int) -> dict:
    from bench.scale import FIRST_NAMES, SURNAMES

    born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(25_000))
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
    return {
        "id": f"cl-pep-{number}",
        "schema": "Person",
        "properties": {
            "name": [name],
            "birthDate": [born.isoformat()],
            "nationality": ["cl"],
            "topics": ["role.pep"],
        },
    }


def _list_write(path: Path, entities: int, namesakes: int, changed: float, seed: int) -> Path:
    """The list: synthetic listed people and Chilean namesakes. With `changed`, the version
    after it: that share changed, half as many removed, as many added."""
    import json

    from onboarding.screening.demo import synthetic_entities

    dice = random.Random(seed)
    namesake_rng = random.Random(8)
    people = [
        *synthetic_entities(entities - namesakes),
        *(_namesake(namesake_rng, number) for number in range(namesakes)),
    ]
    with path.open("w", encoding="utf-8") as target:
        for entity in people:
            draw = dice.random()
            if draw < changed / 2:
                continue
            if draw < changed * 1.5:
                entity["properties"]["alias"] = [
                    *entity["properties"].get("alias", []),
                    entity["properties"]["name"][0].upper(),
                ]
                entity["properties"]["birthDate"] = ["1950-01-01"]
            target.write(json.dumps(entity, ensure_ascii=False) + "\n")
        for number in range(int(len(people) * changed / 2) if changed else 0):
            extra = _namesake(dice, 1_000_000 + number) if number % 20 == 0 else None
            if extra is None:
                extra = next(synthetic_entities(1, seed=seed * 1000 + number))
                extra["id"] = f"new-{number}"
            target.write(json.dumps(extra, ensure_ascii=False) + "\n")
    return path


def _measure(label: str, path: Path, clients: int) -> None:
    from django.db import connection

    from bench.support import vacuum_analyze
    from onboarding.kyc.models import Rescreening, ScreeningHit
    from onboarding.kyc.monitoring import rescreening_run
    from onboarding.screening.loading import screening_list_load

    started = time.perf_counter()
    version = screening_list_load(path=path, dataset="peps")
    loaded = time.perf_counter() - started
    vacuum_analyze()
    connection.close()
    print(
        f"{label}: {version.entity_count} listed loaded in {loaded:.0f} s, "
        f"{version.changed_count} new or changed",
        flush=True,
    )
    rescreening = Rescreening.objects.create(dataset="peps", list_version=version.pk, total=clients)
    started = time.perf_counter()
    done = rescreening_run(rescreening_id=rescreening.pk)
    took = time.perf_counter() - started
    print(
        f"{label}: re-screened {done.done} clients in {took:.0f} s ({took / 60:.1f} min, "
        f"target 15 min, {'met' if took <= 900 else 'NOT met'}): "
        f"{done.changed_entities} listed compared, {done.screened} clients screened again, "
        f"{done.new_hits} with a new hit; {ScreeningHit.objects.filter(active=True).count()} "
        "active hits",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--namesakes", type=int, default=2_000)
    parser.add_argument("--changed", type=float, default=0.02)
    arguments = parser.parse_args()

    from bench.support import database_ensure

    database_ensure(DATABASE_URL)
    import django

    django.setup()
    from bench.support import database_fresh
    from onboarding.accounts.demo import demo_data_seed

    database_fresh()
    rm, _officer, _admin = demo_data_seed(password="bench-password-1")
    tenant = rm.staff_profile.tenants.get()
    print(f"writing {arguments.clients} clients…", flush=True)
    _clients(arguments.clients, tenant, rm)
    _screened_at_submission(tenant)
    with tempfile.TemporaryDirectory() as directory:
        first = _list_write(
            Path(directory) / "v1.ftm.json", arguments.entities, arguments.namesakes, 0, 1
        )
        _measure("first version", first, arguments.clients)
        first.unlink()
        second = _list_write(
            Path(directory) / "v2.ftm.json",
            arguments.entities,
            arguments.namesakes,
            arguments.changed,
            2,
        )
        _measure(f"next version ({arguments.changed:.0%} changed)", second, arguments.clients)


if __name__ == "__main__":
    main()
