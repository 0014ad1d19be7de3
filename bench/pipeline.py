"""What the submission benchmarks share: a database, the sandbox or a real Altafid, workers.

They run with production settings (DEBUG=false). Connection variables are the app's own:
DATABASE_URL (PostgreSQL; default a local `onboarding_bench`), REDIS_URL (the broker; default
database 13 of a local Redis), and either ALTAFID_BASE_URL with the other ALTAFID_* variables
(any Altafid-compatible server) or, when it is unset, the sandbox in a process of its own with
the latency asked for.
"""

import os
import secrets
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import (  # noqa: E402
    database_ensure,
    free_port,
    sandbox_environment,
    vacuum_analyze,
)

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/onboarding_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
# Production settings, as deployed: with DEBUG on, every query is also recorded and logged,
# which doubles the database work being measured.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
# The benchmark process and its workers must share the keys that encrypt drafts and payloads.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "Wm9J2m8kPZbA0iV0S2sQhX1Bz3lS9V0c7aY2q4uR6t8=")
os.environ.setdefault("SEARCH_HASH_KEY", "bench-search-hash-key-bench-search-hash-key")
os.environ.setdefault("EMAIL_DISABLED", "true")


@dataclass
class Setup:
    sandbox: Any
    base_url: str
    tenant: Any
    rm: Any
    officer: Any
    workers: list[subprocess.Popen[bytes]]

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by the workers (with their threads) and the sandbox process."""
        workers = [pid for worker in self.workers for pid in _family(worker.pid)]
        used = {"workers": sum(_cpu(pid) for pid in workers)}
        if self.sandbox is not None:
            used["sandbox"] = _cpu(self.sandbox.pid)
        for name in ("postgres", "redis-server"):
            used[name] = sum(_cpu(pid) for pid in _pids_named(name))
        return used

    def altafid_calls(self) -> int | None:
        """How many calls the sandbox has answered so far (logins included); None against
        another Altafid, which does not say."""
        if self.sandbox is None:
            return None
        import httpx

        stats = httpx.get(f"{self.base_url}/__sandbox__/stats", timeout=5).json()
        return int(stats["requests"])

    def stop(self) -> None:
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            worker.wait(timeout=60)
        if self.sandbox is not None:
            self.sandbox.terminate()
            self.sandbox.wait(timeout=30)


def _cpu(pid: int) -> float:
    """User and system CPU seconds of a process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _family(pid: int) -> list[int]:
    """The process and its children (a prefork worker's pool), from /proc."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        kids = [int(child) for child in children.read_text().split()]
    except OSError:
        kids = []
    return [pid, *kids]


def busy_share() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))


def _pids_named(name: str) -> list[int]:
    """Processes of that name on this machine (the local database and broker), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def setup(*, latency_ms: int) -> Setup:
    """Django set up on a migrated database, the sandbox started unless ALTAFID_BASE_URL is set."""
    database_ensure(os.environ["DATABASE_URL"])
    use_sandbox = not os.environ.get("ALTAFID_BASE_URL")
    if use_sandbox:
        sandbox_environment(free_port())
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from onboarding.accounts.demo import demo_data_seed

    call_command("migrate", verbosity=0)
    sandbox = None
    if use_sandbox:
        # Its own process: in this one, the benchmark's polling would slow its answers down.
        sandbox = subprocess.Popen(  # noqa: S603 - a fixed command line
            [
                sys.executable,
                *("manage.py", "altafid_sandbox", "--host", "127.0.0.1"),
                *("--port", os.environ["ALTAFID_SANDBOX_PORT"], "--latency-ms", str(latency_ms)),
            ],
            cwd=ROOT,
        )
        health = f"{settings.ALTAFID_BASE_URL}/__sandbox__/health"
        wait_for(lambda: _answers(health), bound_seconds=30, poll_seconds=0.1)
    rm, officer, _admin = demo_data_seed(password="bench-password-1")
    tenant = rm.staff_profile.tenants.get()
    return Setup(sandbox, settings.ALTAFID_BASE_URL, tenant, rm, officer, [])


def cases_create(setup: Setup, count: int) -> list[Any]:
    """`count` ready cases, each client a person of their own (e-mail and RUT)."""
    from onboarding.cases.demo import rut_for
    from onboarding.cases.services import case_create
    from onboarding.documents.demo import case_fill

    run = uuid.uuid4().hex[:8]
    cases = [
        case_fill(
            case_create(tenant=setup.tenant, owner=setup.rm),
            setup.rm,
            email=f"bench-{run}-{number}@example.com",
            identity=rut_for(int(run, 16) % 1_000_000 * 100 + number),
        )
        for number in range(count)
    ]
    # PostgreSQL's statistics as autovacuum keeps them in production (a server may run with it
    # off, as CI's does): without them, plans chosen for empty tables scan what runs before
    # left, more with every run.
    vacuum_analyze()
    return cases


def workers_start(setup: Setup, *, processes: int, concurrency: int) -> None:
    for _ in range(processes):
        setup.workers.append(
            subprocess.Popen(  # noqa: S603 - a fixed command line
                [
                    sys.executable,
                    # "2 worker processes at concurrency 8": two processes of eight threads each.
                    # (prefork, as docker-compose runs, measured slower here: 2 cores.)
                    *("-m", "celery", "-A", "onboarding", "worker", "--pool", "threads"),
                    *("--concurrency", str(concurrency), "--without-gossip"),
                    *("--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"),
                    *("--hostname", f"bench-{uuid.uuid4().hex[:6]}@%h"),
                ],
                cwd=ROOT,
                env=dict(os.environ),
            )
        )
    # Before the clock starts, every worker must be up: booting one takes seconds of CPU.
    from onboarding.celery import app

    wait_for(
        lambda: len(app.control.ping(timeout=0.5)) >= len(setup.workers),
        bound_seconds=120,
        poll_seconds=0.2,
    )


def queue_purge() -> None:
    from onboarding.celery import app

    app.control.purge()


def steps_left_stop() -> None:
    """Stops the steps an earlier run on the benchmark's own database left queued or running
    (one cut short): the sweeper a run calls would send them again, and their calls and CPU
    would be counted as this run's. Never inside the compose stack, whose steps are not the
    benchmark's."""
    from onboarding.submissions.models import Step, StepState

    left = Step.objects.filter(state__in=(StepState.QUEUED, StepState.RUNNING)).update(
        state=StepState.FAILED
    )
    if left:
        print(f"{left} steps left queued or running by an earlier run were stopped", flush=True)


def wait_for(condition: Any, *, bound_seconds: float, poll_seconds: float = 0.005) -> None:
    deadline = time.monotonic() + bound_seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up after {bound_seconds:.0f}s")
        time.sleep(poll_seconds)


def reviews_approve(setup: Setup, case_ids: list[int]) -> int:
    """The compliance officer approves the KYC reviews waiting for these cases, as a person
    does: verifies each document, takes the review, attests and approves. The benchmark's
    clients are not high risk, so one approval seals each review."""
    from onboarding.kyc.models import Review, ReviewState, Verdict
    from onboarding.kyc.services import (
        document_check,
        documents_to_verify,
        review_approve,
        review_assign,
    )

    waiting = list(
        Review.objects.filter(case_id__in=case_ids, state=ReviewState.WAITING).select_related(
            "case"
        )
    )
    for review in waiting:
        for document in documents_to_verify(case=review.case):
            document_check(
                review=review,
                document=document,
                user=setup.officer,
                verdict=Verdict.VERIFIED,
                note="",
            )
        review_assign(review=review, user=setup.officer)
        if not review_approve(
            review=review, user=setup.officer, digest=review.digest, attested=True
        ):
            raise SystemExit(f"review {review.pk} is high risk: the benchmark expects none")
    return len(waiting)
