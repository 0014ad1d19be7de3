"""Overhead of the pipeline: from Submit until all five steps succeeded, against a bare httpx
script making the same calls in a row (the two duplicate searches, then the five calls).

One case at a time. For the pipeline, the case is first reviewed as the review page does it
(the digest of what Submit will send), then the clock runs from `case_submit` (which builds
the bodies again and compares) until the chain stops for the KYC review, from the compliance
officer's approval until the compliance update succeeded, then from `case_activate` (the RM's
Activate) until the credentials are initialised; the time people take to approve and to
press Activate is not counted. The
benchmark notices each end by polling the database every millisecond. The bare script sends
the same bodies with the same five headers and a token fetched beforehand. Prints the median
and p95 of each and the ratio of the medians (target ≤ 1.10). See bench/pipeline.py for the
connection variables.

    uv run python bench/submission_overhead.py [--cases 20] [--latency-ms 50]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import (
    cases_create,
    queue_purge,
    reviews_approve,
    setup,
    steps_left_stop,
    wait_for,
    workers_start,
)


def _pipeline_seconds(case: Any, bench: Any, watcher: psycopg.Connection[Any]) -> float:
    from onboarding.submissions.plans import submission_plan
    from onboarding.submissions.services import case_activate, case_submit

    rm = bench.rm

    def reached(kind: str, state: str = "succeeded") -> bool:
        # A prepared statement on a connection of its own: each look costs the machine (two
        # cores, shared with the workers and the database) as little as it can.
        found = watcher.execute(
            "SELECT 1 FROM submissions_step WHERE case_id = %s AND kind = %s AND state = %s",
            [case.pk, kind, state],
            prepare=True,
        )
        return found.fetchone() is not None

    # What the review page shows; Submit builds it again and compares (the clock counts that).
    digest = submission_plan(case=case).digest
    started = time.perf_counter()
    case_submit(case=case, user=rm, digest=digest)
    wait_for(lambda: reached("compliance", "in_review"), bound_seconds=120, poll_seconds=0.001)
    first_part = time.perf_counter() - started
    started = time.perf_counter()
    reviews_approve(bench, [case.pk])
    wait_for(lambda: reached("compliance"), bound_seconds=120, poll_seconds=0.001)
    second_part = time.perf_counter() - started
    started = time.perf_counter()
    case_activate(case=case, user=rm)
    wait_for(lambda: reached("credentials"), bound_seconds=120, poll_seconds=0.001)
    return first_part + second_part + time.perf_counter() - started


def _bare_seconds(case: object, http: httpx.Client, headers: dict[str, str], base: str) -> float:
    from onboarding.cases.payloads import case_payloads
    from onboarding.cases.services import case_sections

    bodies = {
        call.name: call.body for call in case_payloads(case=case, sections=case_sections(case=case))
    }
    started = time.perf_counter()
    # As the pipeline does: is this person already in Altafid (by identity number, e-mail)?
    for field in ("identityId", "preferredEmail"):
        condition = {"field": field, "operator": "equals", "value": bodies["create"][field]}
        search = {"filters": [condition], "page": 0, "size": 10, "sort": ["createdAt,desc"]}
        http.post(f"{base}/api/v2/contacts/filter", json=search, headers=headers).raise_for_status()
    created = http.post(f"{base}/api/contacts", json=bodies["create"], headers=headers)
    created.raise_for_status()
    contact = f"{base}/api/contacts/{created.json()['contactUuid']}"
    for name in ("sales", "compliance", "primary_email"):
        http.put(contact, json=bodies[name], headers=headers).raise_for_status()
    http.post(f"{contact}/credentials/init", json={}, headers=headers).raise_for_status()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=50, help="added by the sandbox")
    arguments = parser.parse_args()

    bench = setup(latency_ms=arguments.latency_ms)
    from onboarding.altafid.client import client_for_tenant, shared_http_client

    queue_purge()
    steps_left_stop()
    workers_start(bench, processes=1, concurrency=2)
    try:
        pipeline_cases = cases_create(bench, arguments.cases + 1)
        bare_cases = cases_create(bench, arguments.cases + 1)
        altafid = client_for_tenant(bench.tenant.altafid_uuid)
        token = altafid._tokens.token(shared_http_client(altafid.connection))
        headers = altafid.headers(token)
        base = altafid.connection.base_url.rstrip("/")
        # The first case of each warms connections, caches and the worker; it is not counted.
        watcher_url = os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        with psycopg.connect(watcher_url, autocommit=True) as watcher:
            pipeline = [_pipeline_seconds(case, bench, watcher) for case in pipeline_cases][1:]
        with httpx.Client(timeout=30) as http:
            bare = [_bare_seconds(case, http, headers, base) for case in bare_cases][1:]
    finally:
        bench.stop()

    def line(name: str, values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
        return (
            f"  {name:<9} median {statistics.median(values) * 1000:7.1f} ms"
            f"   p95 {p95 * 1000:7.1f} ms"
        )

    where = "sandbox" if bench.sandbox else bench.base_url
    print(f"five calls per case, {arguments.cases} cases, {where}, {arguments.latency_ms} ms added")
    print(line("pipeline", pipeline))
    print(line("bare", bare))
    ratio = statistics.median(pipeline) / statistics.median(bare)
    print(f"  ratio {ratio:.3f} (target ≤ 1.10)")


if __name__ == "__main__":
    main()
