"""Server time of the KYC review queue and review page with 10,000 cases waiting for review.

Seeds PostgreSQL (the database in BENCH_DATABASE_URL, created if missing, emptied first) with
one tenant, 50 RMs and `--cases` onboardings held for review, each with its sales and
compliance steps and a review whose body is a real compliance body (a tenth flagged PEP, a
fifth of them decided once before). Then, warm, through Django's test client with production
settings (DEBUG off), it times the queue's first page, each filter, a late page, the figures
page and the review pages of random cases, and prints p50/p95 (target: p95 ≤ 50 ms) and the
plans of the queue's queries.

    uv run python bench/review_queue.py [--cases 10000] [--requests 200]
"""

import argparse
import datetime
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import production_environment

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_review"
)
SANDBOX_PORT = production_environment(database_url=DATABASE_URL, prefix="bench-review-")


def _seed(count: int) -> tuple[object, list[int]]:
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from bench.support import database_fresh, sample_case, vacuum_analyze
    from onboarding.accounts.demo import demo_data_seed
    from onboarding.accounts.models import StaffProfile, User
    from onboarding.accounts.roles import Role
    from onboarding.cases.lifecycle import CaseStatus, StepKind, StepState
    from onboarding.cases.models import Case
    from onboarding.kyc.models import Review, ReviewState
    from onboarding.submissions.models import Step
    from onboarding.submissions.queueing import payload_digest

    database_fresh()
    rm, officer, _admin = demo_data_seed(password="bench-password-1")
    tenant = rm.staff_profile.tenants.get()
    group = Group.objects.get(name=Role.RELATIONSHIP_MANAGER.value)
    rms = [rm]
    for number in range(49):
        person = User.objects.create_user(
            email=f"rm{number}@bench.example", first_name="RM", last_name=str(number)
        )
        person.groups.add(group)
        StaffProfile.objects.create(user=person, altafid_staff_uuid=f"PS{number:032}").tenants.add(
            tenant
        )
        rms.append(person)

    # One real case gives the bodies every seeded case carries (its lookups from a sandbox).
    sample, bodies = sample_case(tenant=tenant, rm=rm, port=SANDBOX_PORT)
    now = timezone.now()
    dice = random.Random(7)
    cases = Case.objects.bulk_create(
        Case(
            tenant=tenant,
            owner=rms[number % len(rms)],
            updated_by=rms[number % len(rms)],
            client_name=f"Cliente {number:05} García",
            client_email=f"client{number}@bench.example",
            status=CaseStatus.IN_REVIEW,
            drafts=sample.drafts,
            section_states=sample.section_states,
            version=sample.version,
        )
        for number in range(count)
    )
    steps = []
    for case in cases:
        steps.append(
            Step(
                case=case,
                kind=StepKind.SALES,
                position=1,
                state=StepState.SUCCEEDED,
                payload=bodies["sales"],
            )
        )
        steps.append(
            Step(
                case=case,
                kind=StepKind.COMPLIANCE,
                position=2,
                state=StepState.IN_REVIEW,
                payload=bodies["compliance"],
            )
        )
    Step.objects.bulk_create(steps, batch_size=2000)
    compliance = dict(Step.objects.filter(kind=StepKind.COMPLIANCE).values_list("case_id", "pk"))
    digest = payload_digest(bodies["compliance"])
    reviews = []
    for number, case in enumerate(cases):
        opened = now - datetime.timedelta(minutes=dice.randint(1, 60 * 24 * 14))
        flags = ",pep," if number % 10 == 0 else ""
        if number % 5 == 0:
            reviews.append(
                Review(
                    tenant=tenant,
                    case=case,
                    step_id=compliance[case.pk],
                    state=ReviewState.RETURNED,
                    opened_at=opened - datetime.timedelta(days=2),
                    decided_at=opened - datetime.timedelta(days=1),
                    decided_by=officer,
                    body=bodies["compliance"],
                    picture=bodies["compliance"],
                    digest=digest,
                    reasons=["missing_document"],
                )
            )
        reviews.append(
            Review(
                tenant=tenant,
                case=case,
                step_id=compliance[case.pk],
                opened_at=opened,
                body=bodies["compliance"],
                picture=bodies["compliance"],
                digest=digest,
                flags=flags,
            )
        )
    Review.objects.bulk_create(reviews, batch_size=2000)
    vacuum_analyze()
    waiting = list(Review.objects.filter(state=ReviewState.WAITING).values_list("pk", flat=True))
    return officer, waiting


def _seeded() -> tuple[object, list[int]]:
    from django.db.utils import ProgrammingError

    from onboarding.accounts.models import User
    from onboarding.kyc.models import Review, ReviewState

    try:
        officer = User.objects.filter(email="compliance@example.com").first()
        waiting = list(
            Review.objects.filter(state=ReviewState.WAITING).values_list("pk", flat=True)
        )
    except ProgrammingError:
        return None, []
    return officer, waiting


def _time(client: object, url: str, requests: int) -> tuple[float, float]:
    from bench.support import percentiles, timed

    def request() -> None:
        response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 200, (url, response.status_code)

    return percentiles(timed(request, requests, warm=0))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--reuse", action="store_true", help="time the cases a previous run seeded, if there"
    )
    arguments = parser.parse_args()

    from bench.support import database_ensure

    database_ensure(DATABASE_URL)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    # No setup_test_environment(): it instruments every template render for the test
    # client, which production does not pay for.
    from django.test.utils import CaptureQueriesContext

    from bench.support import percentiles, signed_in, timed, vacuum_analyze

    call_command("collectstatic", interactive=False, verbosity=0)
    officer, waiting = _seeded() if arguments.reuse else (None, [])
    if officer is not None and arguments.reuse:
        vacuum_analyze()
    if officer is None or len(waiting) < arguments.cases:
        print(f"seeding {arguments.cases} cases waiting for review…", flush=True)
        officer, waiting = _seed(arguments.cases)
    from onboarding.accounts.models import User

    rm_id = User.objects.get(email="rm7@bench.example").pk
    client = signed_in(officer)
    pages = {
        "queue, first page": "/kyc/",
        "queue, PEP flag": "/kyc/?flag=pep",
        "queue, one RM": f"/kyc/?rm={rm_id}",
        "queue, over 3 days": "/kyc/?age=3",
        "queue, not taken": "/kyc/?assigned=nobody",
        "queue, page 200": "/kyc/?page=200",
        "figures": "/kyc/figures/",
    }
    print(f"{len(waiting)} reviews waiting; {arguments.requests} warm requests per page")
    for label, url in pages.items():
        client.get(url)
        p50, p95 = _time(client, url, arguments.requests)
        print(f"  {label:<22} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
    dice = random.Random(11)
    sample = [dice.choice(waiting) for _ in range(arguments.requests)]
    urls = iter(f"/kyc/reviews/{pk}/" for pk in sample)

    def review_page() -> None:
        assert client.get(next(urls)).status_code == 200

    p50, p95 = percentiles(timed(review_page, arguments.requests, warm=0))
    print(f"  {'review page (random)':<22} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
    with CaptureQueriesContext(connection) as queries:
        client.get("/kyc/?flag=pep")
    print("\nplans of the queue's queries (flag filter):")
    for query in queries.captured_queries:
        sql = query["sql"]
        if "kyc_review" not in sql or ("COUNT" not in sql.upper() and "LIMIT" not in sql.upper()):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + sql)
            print("  " + sql[:120] + "…")
            for (line,) in cursor.fetchall():
                print("    " + line)


if __name__ == "__main__":
    main()
