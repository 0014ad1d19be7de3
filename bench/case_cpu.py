"""CPU and statements per case, in one process: where a case's cost goes, without the noise of
many processes sharing two cores.

Runs each case's tasks eagerly in this process (Celery's `task_always_eager`), against a
sandbox answering at once, and measures three phases: the RM's Submit with the steps up to the
KYC review (its opening, screening and notices included), the officer's approval (verify the
document, take the review, approve) with the steps it releases, and the RM's Activate with the
last step. For each: this process's CPU, the CPU of PostgreSQL's backend serving it, the
statements sent and the writing transactions committed (each one a WAL flush); and for the
whole case, the WAL written (run it on a quiet database: both are counted server-wide). The
cases' bodies are built before the clock starts, as the RM's review page keeps them. See
bench/pipeline.py for the connection variables.

With `--perf FILE`, Linux's `perf` (Debian's `linux-perf`) samples the CPU of PostgreSQL's
backend serving this process, with call graphs, while the measured cases run: where the
database's time goes per case (run it as root; read it with `perf report -i FILE --children
--sort symbol`).

    uv run python bench/case_cpu.py [--cases 100] [--perf FILE]
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import cases_create, reviews_approve, setup

PHASES = ("submit", "approve", "activate")
WARM_CASES = 10


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def perf_record(pid: int, path: str) -> subprocess.Popen[bytes]:
    command = ["perf", "record", "--freq", "1999", "--call-graph", "fp"]
    recording = subprocess.Popen(  # noqa: S603 - a fixed command line, perf from PATH
        [*command, "--pid", str(pid), "-o", path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # perf takes a moment to attach: the first case is sampled whole.
    time.sleep(1)
    if recording.poll() is not None:
        raise SystemExit(f"perf did not start: {recording.stderr.read().decode().strip()}")
    return recording


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--perf", metavar="FILE", help="record PostgreSQL's backend with perf")
    arguments = parser.parse_args()

    # As the throughput benchmark's workers run: a log line per task is not the work measured.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    bench = setup(latency_ms=0)
    from django.db import connection

    from onboarding.celery import app
    from onboarding.submissions.models import Step, StepState
    from onboarding.submissions.plans import submission_plan
    from onboarding.submissions.services import case_activate, case_submit

    app.conf.task_always_eager = True
    try:
        cases = cases_create(bench, WARM_CASES + arguments.cases)
        digests = {case.pk: submission_plan(case=case).digest for case in cases}
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]

        python: Counter[str] = Counter()
        postgres: Counter[str] = Counter()
        statements: Counter[str] = Counter()
        writes: Counter[str] = Counter()
        phase = ["warm"]

        def database_now() -> tuple[int, int]:
            """The next transaction ID and the WAL position, both of the whole server: on a
            quiet database, their growth is this process's writing transactions (each one a
            WAL flush at its commit) and the WAL they wrote."""
            measuring, phase[0] = phase[0], ""
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint,"
                    " pg_current_wal_lsn() - '0/0'::pg_lsn"
                )
                xid, wal = cursor.fetchone()
            phase[0] = measuring
            return int(xid), int(wal)

        def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if phase[0]:
                statements[phase[0]] += 1
            return execute(sql, params, many, context)

        def timed(name: str, action: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
            xid_before = database_now()[0]
            phase[0] = name
            python_before, postgres_before = time.process_time(), backend_cpu(backend)
            action(*args, **kwargs)
            python[name] += time.process_time() - python_before
            postgres[name] += backend_cpu(backend) - postgres_before
            writes[name] += database_now()[0] - xid_before

        # The first cases load what each process loads once (URL patterns, templates, lists).
        warm, measured = cases[:WARM_CASES], cases[WARM_CASES:]
        recording = None
        with connection.execute_wrapper(counted):
            for batch in (warm, measured):
                if batch is measured and arguments.perf:
                    recording = perf_record(backend, arguments.perf)
                wal_before = database_now()[1]
                for case in batch:
                    timed("submit", case_submit, case=case, user=bench.rm, digest=digests[case.pk])
                for case in batch:
                    timed("approve", reviews_approve, bench, [case.pk])
                for case in batch:
                    timed("activate", case_activate, case=case, user=bench.rm)
                wal = database_now()[1] - wal_before
                if recording is not None:
                    recording.send_signal(signal.SIGINT)
                    recording.wait()
                if batch is warm:
                    python.clear()
                    postgres.clear()
                    statements.clear()
                    writes.clear()
        succeeded = Step.objects.filter(case__in=measured, state=StepState.SUCCEEDED).count()
        if succeeded != 5 * len(measured):
            raise SystemExit(f"{succeeded} steps succeeded, expected {5 * len(measured)}")
    finally:
        bench.stop()

    count = len(measured)
    print(f"{count} cases, tasks run in this process, sandbox answering at once; per case:")
    for name in (*PHASES, "total"):
        spent = (
            (python[name], postgres[name], statements[name], writes[name])
            if name != "total"
            else tuple(sum(c.values()) for c in (python, postgres, statements, writes))
        )
        print(
            f"  {name:8s} Python {1000 * spent[0] / count:5.1f} ms, "
            f"PostgreSQL {1000 * spent[1] / count:5.1f} ms, {spent[2] / count:5.1f} statements, "
            f"{spent[3] / count:4.1f} writing transactions"
        )
    print(f"  WAL written: {wal / count / 1024:.1f} KiB per case")


if __name__ == "__main__":
    main()
