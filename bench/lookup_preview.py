"""Server time of the admin's health page, with its preview of every lookup dropdown, on a
warm lookup cache (the page that shows the most lookups at once).

Runs in-process against the embedded default settings and an in-process Altafid sandbox,
through Django's test client (no network between client and view), and prints p50/p95 and
the number of Altafid calls made while warm (expected: 0).

    uv run python bench/lookup_preview.py [--requests 300]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
# The embedded default, as the development stack runs it (DEBUG on, in-process sandbox).
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-home-"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    arguments = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from onboarding.accounts.demo import demo_data_seed
    from onboarding.altafid.sandbox.server import Sandbox

    setup_test_environment()
    call_command("migrate", verbosity=0)
    sandbox = Sandbox(port=0).start()
    settings.ALTAFID_BASE_URL = sandbox.base_url
    users = demo_data_seed(password="bench-password-1")
    client = Client()
    client.force_login(users[2])  # the admin
    page = "/health/"
    client.get(page, {"country": "CHL"})
    calls_when_cold = sandbox.request_count()
    timings = []
    for _ in range(arguments.requests):
        started = time.perf_counter()
        response = client.get(page, {"country": "CHL"})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    sandbox.stop()

    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"health page with the lookup preview, warm cache, {arguments.requests} requests")
    print(
        f"  p50 {statistics.median(timings):.1f} ms   p95 {p95:.1f} ms   max {timings[-1]:.1f} ms"
    )
    print(f"  page size {len(response.content) / 1024:.1f} KiB (HTML only)")
    print(f"  Altafid calls while warm: {sandbox.request_count() - calls_when_cold}")


if __name__ == "__main__":
    main()
