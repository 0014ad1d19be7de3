"""Server time and weight of the four section pages of a filled-in case, warm lookup cache.

Runs in-process through Django's test client (no network between client and view) against
the configured database (the embedded SQLite default, or DATABASE_URL) and an in-process
Altafid sandbox. Prints p50/p95 per section page, the Altafid calls made while warm
(expected: 0), and each page's first-load weight: its HTML plus every asset it references,
as sent (gzip: GZipMiddleware for pages, WhiteNoise's compressed copies for assets) and
uncompressed.

    uv run python bench/section_pages.py [--requests 200]
"""

import argparse
import gzip
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
# The embedded default, as the development stack runs it (DEBUG on, in-process sandbox).
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-sections-"))

ASSET = re.compile(r'<(?:script[^>]* src|link[^>]* href)="(/static/[^"]+)"')


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * share) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200, help="per section page")
    arguments = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from onboarding.accounts.demo import demo_data_seed
    from onboarding.altafid.sandbox.server import Sandbox
    from onboarding.cases.demo import SECTIONS
    from onboarding.cases.services import case_create
    from onboarding.documents.demo import case_fill

    call_command("migrate", verbosity=0)
    sandbox = Sandbox(port=0).start()
    settings.ALTAFID_BASE_URL = sandbox.base_url
    rm = demo_data_seed(password="bench-password-1")[0]
    tenant = rm.staff_profile.tenants.get()
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)
    # Not setup_test_environment(): its template instrumentation would add its own cost.
    client = Client(SERVER_NAME="localhost")
    client.force_login(rm)

    urls = {section: f"/cases/{case.pk}/{section}/" for section in SECTIONS}
    for url in urls.values():
        assert client.get(url).status_code == 200
    calls_when_cold = sandbox.request_count()
    print(f"section pages of one filled-in case, warm cache, {connection.vendor}")
    print(f"  {arguments.requests} requests per page, server time through the test client")
    worst_p95 = 0.0
    for section, url in urls.items():
        timings = []
        for _ in range(arguments.requests):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        p95 = _percentile(timings, 0.95)
        worst_p95 = max(worst_p95, p95)
        print(
            f"  {section:<11} p50 {statistics.median(timings):5.1f} ms"
            f"   p95 {p95:5.1f} ms   max {max(timings):5.1f} ms"
        )
    print(f"  worst p95 {worst_p95:.1f} ms (target ≤ 50 ms)")
    print(f"  Altafid calls while warm: {sandbox.request_count() - calls_when_cold}")

    print("first-load weight: HTML + assets, gzip as sent (uncompressed)")
    heaviest = 0.0
    for section, url in urls.items():
        response = client.get(url, headers={"accept-encoding": "gzip"})
        assert response.headers.get("Content-Encoding") == "gzip"
        sent_html = len(response.content)
        html = gzip.decompress(response.content)
        assets = []
        for path in ASSET.findall(html.decode()):
            found = finders.find(path.removeprefix(settings.STATIC_URL))
            assert found, path
            assets.append(Path(str(found)).read_bytes())
        raw = len(html) + sum(len(asset) for asset in assets)
        sent = sent_html + sum(len(gzip.compress(asset)) for asset in assets)
        heaviest = max(heaviest, sent / 1024)
        print(
            f"  {section:<11} {sent / 1024:6.1f} KiB ({raw / 1024:6.1f} KiB)"
            f"   HTML {len(html) / 1024:6.1f} KiB, {len(assets)} assets"
        )
    print(f"  heaviest {heaviest:.1f} KiB as sent (target ≤ 150 KB)")
    sandbox.stop()


if __name__ == "__main__":
    main()
