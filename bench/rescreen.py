"""Screening every client again after a list changed: `--clients` onboarded clients (Chilean
names, two surnames, birth dates) against a list of `--entities` synthetic listed persons
(names in several scripts, aliases, birth dates, nationalities; `screening.demo`), as the
`clients_rescreen` task does it. Target: 100,000 clients in ≤ 15 minutes.

Production settings (DEBUG off) on PostgreSQL (BENCH_DATABASE_URL, created if missing, emptied
first). The clients are written with COPY (drafts encrypted as a save would); the list is
loaded through `screening_list_load`. Prints the load time, the re-screening's clients per
second and total, and the hits it found. `--sample N` screens only the first N clients and
extrapolates.

    uv run python bench/rescreen.py [--clients 100000] [--entities 1000000] [--sample 0]
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=0)
    arguments = parser.parse_args()

    from bench.support import database_ensure

    database_ensure(DATABASE_URL)
    import django

    django.setup()
    from bench.support import database_fresh, vacuum_analyze
    from onboarding.accounts.demo import demo_data_seed
    from onboarding.kyc.models import Rescreening, ScreeningHit
    from onboarding.kyc.monitoring import rescreening_run
    from onboarding.screening.demo import synthetic_file_write
    from onboarding.screening.loading import screening_list_load

    database_fresh()
    rm, _officer, _admin = demo_data_seed(password="bench-password-1")
    tenant = rm.staff_profile.tenants.get()
    print(f"writing {arguments.clients} clients…", flush=True)
    _clients(arguments.clients, tenant, rm)
    with tempfile.TemporaryDirectory() as directory:
        path = synthetic_file_write(Path(directory) / "peps.ftm.json", arguments.entities)
        started = time.perf_counter()
        version = screening_list_load(path=path, dataset="peps")
        loaded = time.perf_counter() - started
    vacuum_analyze()
    print(f"list of {arguments.entities} entities loaded in {loaded:.0f} s", flush=True)

    rescreening = Rescreening.objects.create(
        dataset="peps", list_version=version.pk, total=arguments.clients
    )
    if arguments.sample:
        from onboarding.cases.models import Case

        # Everything after the sample counts as done: the run screens the sample alone.
        last = Case.objects.order_by("pk").values_list("pk", flat=True)[arguments.sample - 1]
        Rescreening.objects.filter(pk=rescreening.pk).update(
            last_case_id=0, done=0, total=arguments.sample
        )
        Case.objects.filter(pk__gt=last).update(status="draft")
    started = time.perf_counter()
    done = rescreening_run(rescreening_id=rescreening.pk)
    took = time.perf_counter() - started
    rate = done.done / took
    print(
        f"re-screened {done.done} clients in {took:.0f} s ({rate:.0f} clients/s, "
        f"{1000 / rate:.1f} ms each); {ScreeningHit.objects.count()} hits, "
        f"{done.new_hits} clients with a new hit"
    )
    if arguments.sample:
        whole = arguments.clients / rate
        print(
            f"at that rate, {arguments.clients} clients take {whole / 60:.1f} min "
            f"(target 15 min, {'met' if whole <= 900 else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
