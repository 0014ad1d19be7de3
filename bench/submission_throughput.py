"""Throughput of the pipeline: many cases through worker processes, against the ideal.

Submits every case in one transaction (the clock starts as it commits), approves each KYC
review as soon as a chain reaches it, activates each case as soon as its compliance update
succeeded, and times until every case's five steps
succeeded. The ideal is cases x 5 calls x latency / total concurrency (the workers doing
nothing but wait for Altafid); the target is to finish within 1.5 times that. Against the
sandbox it also prints the floor for the calls really made (the create step's duplicate
searches are calls too), counted by the sandbox. Before the
clock, `--warm` cases go through the same way: production's workers are long-lived, and what
a fresh one loads once is not the pace measured. See bench/pipeline.py for the connection
variables.

    uv run python bench/submission_throughput.py [--cases 500] [--processes 2] [--concurrency 8]

With `--stack`, inside the compose stack, against its own workers and sandbox (it starts none;
the README's "Benchmarks" shows the command): the steps per second with however many worker
containers run (`--scale worker=N`).
"""

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import (
    busy_share,
    cases_create,
    queue_purge,
    reviews_approve,
    setup,
    steps_left_stop,
    wait_for,
    workers_start,
)


@dataclass(frozen=True)
class Run:
    elapsed: float
    cpu: dict[str, float]
    busy: float
    # Calls Altafid answered while the clock ran; None when it cannot say.
    calls: int | None


def cases_run(bench: Any, cases: list[Any]) -> Run:
    """Submits the cases in one transaction, approves and activates each as the chains reach
    them, and measures from the commit until every step succeeded: the time, each process's
    CPU and how busy the machine was."""
    from django.db import connection, transaction

    from onboarding.submissions.models import StepKind, StepState
    from onboarding.submissions.plans import submission_plan
    from onboarding.submissions.services import case_activate, case_submit
    from onboarding.submissions.sweeper import steps_sweep

    ids = [case.pk for case in cases]
    total = len(ids) * len(StepKind)
    activated: set[int] = set()
    # Every case submitted in one transaction, so that all tasks go out together on commit
    # and the clock does not count building the bodies (the RMs' clicks, in real life).
    digests = {case.pk: submission_plan(case=case).digest for case in cases}
    with transaction.atomic():
        for case in cases:
            case_submit(case=case, user=bench.rm, digest=digests[case.pk])
        started = time.perf_counter()
    calls_before = bench.altafid_calls()
    cpu_before = bench.cpu_seconds()
    machine_before = busy_share()
    own_before = time.process_time()

    first, last = min(ids), max(ids)
    by_id = {case.pk: case for case in cases}

    def finished() -> bool:
        # Two plain queries on a range of IDs: on two cores, what the benchmark spends
        # watching is taken from the workers it measures.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT case_id FROM submissions_step WHERE case_id BETWEEN %s AND %s"
                " AND kind = %s AND state = %s",
                [first, last, StepKind.COMPLIANCE, StepState.SUCCEEDED],
            )
            ready = [row[0] for row in cursor.fetchall() if row[0] not in activated]
            # The compliance officer approves each KYC review as the chains reach it.
            cursor.execute(
                "SELECT case_id FROM submissions_step WHERE case_id BETWEEN %s AND %s"
                " AND kind = %s AND state = %s",
                [first, last, StepKind.COMPLIANCE, StepState.IN_REVIEW],
            )
            reviews_approve(bench, [row[0] for row in cursor.fetchall()])
            for case_id in ready:
                case_activate(case=by_id[case_id], user=bench.rm)
                activated.add(case_id)
            cursor.execute(
                "SELECT state, count(*) FROM submissions_step"
                " WHERE case_id BETWEEN %s AND %s GROUP BY state",
                [first, last],
            )
            counts = dict(cursor.fetchall())
        stuck = counts.get(StepState.FAILED, 0) + counts.get(StepState.NEEDS_ATTENTION, 0)
        if stuck:
            raise SystemExit(f"{stuck} steps failed or need attention")
        return counts.get(StepState.SUCCEEDED, 0) == total

    def finished_or_sweep() -> bool:
        if finished():
            return True
        steps_sweep()
        return False

    wait_for(finished_or_sweep, bound_seconds=1800, poll_seconds=0.2)
    elapsed = time.perf_counter() - started
    cpu = {k: v - cpu_before.get(k, 0.0) for k, v in bench.cpu_seconds().items()}
    cpu["this process (approvals, activations, polling)"] = time.process_time() - own_before
    machine_after = busy_share()
    busy = (machine_after[0] - machine_before[0]) / (machine_after[1] - machine_before[1])
    calls_after = bench.altafid_calls()
    calls = None if calls_before is None or calls_after is None else calls_after - calls_before
    return Run(elapsed, cpu, busy, calls)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--processes", type=int, default=2, help="worker processes")
    parser.add_argument("--concurrency", type=int, default=8, help="threads per worker")
    parser.add_argument("--latency-ms", type=int, default=50, help="added by the sandbox")
    parser.add_argument(
        "--stack", action="store_true", help="inside the compose stack: its workers, no others"
    )
    parser.add_argument(
        "--warm", type=int, default=16, help="cases run through the workers before the clock"
    )
    arguments = parser.parse_args()

    bench = setup(latency_ms=arguments.latency_ms)
    from onboarding.submissions.models import StepKind

    queue_purge()
    if not arguments.stack:
        steps_left_stop()
    warm = 0 if arguments.stack else arguments.warm
    print(f"creating {warm} + {arguments.cases} ready cases…", flush=True)
    cases = cases_create(bench, warm + arguments.cases)
    if not arguments.stack:
        workers_start(bench, processes=arguments.processes, concurrency=arguments.concurrency)
    total = arguments.cases * len(StepKind)
    try:
        if warm:
            # Long-lived workers have loaded their code, templates and connections: the first
            # cases pay for that once, and are not the pipeline's steady pace.
            cases_run(bench, cases[:warm])
        run = cases_run(bench, cases[warm:])
    finally:
        bench.stop()

    elapsed, cpu, busy = run.elapsed, run.cpu, run.busy
    if arguments.stack:
        print(f"{arguments.cases} cases x 5 calls through the stack's workers, {bench.base_url}")
        print(f"  finished in {elapsed:.1f} s: {total / elapsed:.0f} steps/s")
        print(f"  the machine was busy {busy:.0%} of the time")
        return
    concurrency = arguments.processes * arguments.concurrency
    ideal = arguments.cases * len(StepKind) * arguments.latency_ms / 1000 / concurrency
    where = "sandbox" if bench.sandbox else bench.base_url
    print(
        f"{arguments.cases} cases x 5 calls, {arguments.processes} workers x "
        f"{arguments.concurrency} threads, {where}, {arguments.latency_ms} ms added"
    )
    print(f"  finished in {elapsed:.1f} s; ideal {ideal:.1f} s; ratio {elapsed / ideal:.2f}")
    print(f"  {total / elapsed:.0f} steps/s (target: within 1.5 x ideal = {ideal * 1.5:.1f} s)")
    if run.calls:
        # The create step searches for the same person first (two searches), so a case makes
        # more calls than it has steps: the time spent waiting for all of them is the floor.
        floor = run.calls * arguments.latency_ms / 1000 / concurrency
        print(
            f"  {run.calls / arguments.cases:.1f} calls a case were made: waiting for them all "
            f"takes {floor:.1f} s at least; ratio {elapsed / floor:.2f} to that"
        )
    spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in cpu.items())
    print(f"  CPU while running: {spent}; {os.cpu_count()} cores x {elapsed:.1f} s available")
    print(
        f"  per step: workers {1000 * cpu['workers'] / total:.1f} ms, PostgreSQL "
        f"{1000 * cpu['postgres'] / total:.1f} ms of CPU (targets: 3 and 1.5)"
    )
    print(f"  the machine was busy {busy:.0%} of the time")


if __name__ == "__main__":
    main()
