"""Twenty RMs opening and saving section pages at once, against gunicorn on PostgreSQL.

Sets up a PostgreSQL database (DATABASE_URL, default a local `onboarding_bench`), Redis for
the shared cache (REDIS_URL), an in-process Altafid sandbox, one filled-in case per RM, then
starts gunicorn with production settings (DEBUG=false) and runs one thread per RM. Each RM
logs in through the login form, then in turn opens a section page and saves it as htmx does
(the form fragment comes back), cycling through the four sections, pausing about a second
between rounds (far quicker than a person; --think-ms 0 makes it a stress test). Prints
p50/p95/max per kind of request, the throughput and the errors (any answer but 200).

    uv run python bench/section_load.py [--staff 20] [--rounds 40] [--workers 4] [--think-ms 1000]
"""

import argparse
import base64
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import database_ensure, free_port, sandbox_environment  # noqa: E402

DATABASE_URL = os.environ.setdefault(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/onboarding_bench"
)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
# The seeding here and gunicorn must share the keys that encrypt the drafts.
os.environ.setdefault(
    "FIELD_ENCRYPTION_KEYS", base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
)
os.environ.setdefault("SEARCH_HASH_KEY", secrets.token_urlsafe(32))
PASSWORD = "bench-password-1"  # noqa: S105 - the throwaway bench RMs
VERSION = re.compile(r'name="version" value="(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _seed(staff: int) -> list[tuple[str, int]]:
    """(e-mail, case id) for each RM, every case filled in as in onboarding/cases/demo.py."""
    from onboarding.accounts.demo import demo_data_seed
    from onboarding.accounts.roles import Role
    from onboarding.accounts.services import staff_ensure
    from onboarding.cases.models import Case
    from onboarding.cases.services import case_create
    from onboarding.documents.demo import case_fill

    tenant = demo_data_seed(password=PASSWORD)[0].staff_profile.tenants.get()
    people = []
    for number in range(staff):
        email = f"bench-rm-{number}@example.com"
        rm = staff_ensure(
            email=email, password=PASSWORD, role=Role.RELATIONSHIP_MANAGER, tenants=[tenant]
        )
        Case.objects.filter(owner=rm).delete()
        people.append((email, case_fill(case_create(tenant=tenant, owner=rm), rm).pk))
    return people


class Staff:
    """One RM's browser: cookies kept by hand, since production marks them Secure."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[call-overload]
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]
        for header in response.headers.get_list("set-cookie"):
            name, _eq, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response

    def log_in(self, email: str) -> None:
        page = self.request("GET", "/login/")
        token = CSRF.search(page.text)
        assert token, "no CSRF token on the login page"
        response = self.request(
            "POST",
            "/login/",
            data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
        )
        assert response.status_code == 302, f"login failed: {response.status_code}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=40, help="page opens (and saves) per RM")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--think-ms",
        type=int,
        default=1000,
        help="mean pause after each open and save (0: every RM fires non-stop, a stress test)",
    )
    arguments = parser.parse_args()

    database_ensure(DATABASE_URL)
    # The sandbox's port, so that the settings of this process and gunicorn's point at it.
    sandbox_port = free_port()
    sandbox_environment(sandbox_port)
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command

    from onboarding.altafid.sandbox.server import Sandbox
    from onboarding.cases.demo import SECTIONS

    call_command("migrate", verbosity=0)
    sandbox = Sandbox(port=sandbox_port).start()
    assert sandbox.base_url == settings.ALTAFID_BASE_URL, settings.ALTAFID_BASE_URL
    cache.clear()
    people = _seed(arguments.staff)

    port = free_port()
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    environment = {
        **os.environ,
        "DEBUG": "false",
        "EMAIL_DISABLED": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": static_root,
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    server = subprocess.Popen(  # noqa: S603 - a fixed command line
        [
            sys.executable,
            "-m",
            "gunicorn",
            "onboarding.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={arguments.workers}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=environment,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base_url + "/health/", timeout=2).status_code < 500:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        timings: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        lock = threading.Lock()
        start = threading.Barrier(arguments.staff + 1)

        def staff_member(email: str, case_id: int) -> None:
            browser = Staff(base_url)
            browser.log_in(email)
            sections = list(SECTIONS)
            # Each RM opens every page once before the clock starts: a warm lookup cache.
            for section in sections:
                browser.request("GET", f"/cases/{case_id}/{section}/")
            start.wait()
            for round_number in range(arguments.rounds):
                section = sections[round_number % len(sections)]
                url = f"/cases/{case_id}/{section}/"
                began = time.perf_counter()
                page = browser.request("GET", url)
                opened = time.perf_counter()
                version = VERSION.search(page.text)
                data = dict(SECTIONS[section])
                first = next(iter(data))
                data[first] = [f"{data[first][0]} {round_number}"]
                saved = browser.request(
                    "POST",
                    url,
                    data={**data, "version": version[1] if version else "0", "action": "save"},
                    headers={"HX-Request": "true", "X-CSRFToken": browser.cookies["csrftoken"]},
                )
                done = time.perf_counter()
                with lock:
                    timings["open"].append((opened - began) * 1000)
                    timings["save"].append((done - opened) * 1000)
                    for kind, response in (("open", page), ("save", saved)):
                        if response.status_code != 200:
                            errors.append(f"{kind} {section}: {response.status_code}")
                if arguments.think_ms:
                    # People do not act in step: each pause is 0.5 to 1.5 times the mean.
                    time.sleep(arguments.think_ms / 1000 * random.uniform(0.5, 1.5))

        threads = [
            threading.Thread(target=staff_member, args=person, daemon=True) for person in people
        ]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=30)
        sandbox.stop()

    everything = timings["open"] + timings["save"]
    print(
        f"{arguments.staff} RMs x {arguments.rounds} rounds (open + save), gunicorn "
        f"{arguments.workers} workers, PostgreSQL, think time {arguments.think_ms} ms"
    )
    for kind, values in (*timings.items(), ("all", everything)):
        values.sort()
        p95 = values[max(int(len(values) * 0.95) - 1, 0)]
        print(
            f"  {kind:<5} {len(values):5d} requests   p50 {statistics.median(values):6.1f} ms"
            f"   p95 {p95:6.1f} ms   max {values[-1]:6.1f} ms"
        )
    print(f"  throughput {len(everything) / elapsed:.0f} requests/s over {elapsed:.1f} s")
    print(f"  errors {len(errors)}" + (f": {errors[:5]}" if errors else ""))
    print("  target: p95 ≤ 200 ms and no errors")


if __name__ == "__main__":
    main()
