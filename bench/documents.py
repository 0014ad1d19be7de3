"""From the upload of a 12-megapixel phone photo to its preview shown: the intake (type read
from the content, decoded, metadata dropped, re-encoded, a preview made), encryption and
storage (`document_attach`), then the preview served through its view, as the RM's page
fetches it. Target: p95 ≤ 2 s on this machine.

Production settings (DEBUG off) on PostgreSQL (BENCH_DATABASE_URL, created if missing,
emptied first), files in a temporary DATA_DIR. Photos: a 4000x3000 JPEG with sensor-like
noise (about 3 MB, as phones write them) and the same picture as HEIC (made once, which
takes half a minute). Prints p50/p95, and those of the intake alone.

    uv run python bench/documents.py [--runs 20]
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import production_environment

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_documents"
)
production_environment(database_url=DATABASE_URL, prefix="bench-documents-")


def _photos() -> dict[str, bytes]:
    from PIL import Image

    from tests.documents import samples

    jpeg = samples.jpeg((4000, 3000), gps=True, noise=True)
    out = io.BytesIO()
    with Image.open(io.BytesIO(jpeg)) as picture:
        picture.save(out, "HEIF", quality=50)
    return {"JPEG": jpeg, "HEIC": out.getvalue()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    arguments = parser.parse_args()

    from bench.support import database_ensure

    database_ensure(DATABASE_URL)
    import django

    django.setup()
    from django.urls import reverse

    from bench.support import database_fresh, percentiles, signed_in
    from onboarding.accounts.demo import demo_data_seed
    from onboarding.cases.services import case_create
    from onboarding.documents import files
    from onboarding.documents.models import DocumentKind
    from onboarding.documents.services import document_attach, documents_erase

    database_fresh()
    rm, _officer, _admin = demo_data_seed(password="bench-password-1")
    case = case_create(tenant=rm.staff_profile.tenants.get(), owner=rm)
    client = signed_in(rm)
    print("making the photos…", flush=True)
    photos = _photos()

    for label, data in photos.items():
        totals, intakes = [], []
        for run in range(arguments.runs + 2):
            started = time.perf_counter()
            document = document_attach(case=case, user=rm, kind=DocumentKind.IDENTITY, data=data)
            response = client.get(reverse("documents:preview", args=[document.uid, 1]))
            total = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.status_code
            documents_erase(case=case)
            intake_started = time.perf_counter()
            files.file_accept(data)
            intake = (time.perf_counter() - intake_started) * 1000
            if run >= 2:  # the first two warm the decoders
                totals.append(total)
                intakes.append(intake)
        p50, p95 = percentiles(totals)
        i50, i95 = percentiles(intakes)
        print(
            f"{label} {len(data) / 1e6:.1f} MB, 4000x3000, {arguments.runs} runs: "
            f"upload to preview p50 {p50:.0f} ms, p95 {p95:.0f} ms "
            f"(intake alone p50 {i50:.0f} ms, p95 {i95:.0f} ms); "
            f"preview {len(response.content) / 1024:.0f} KiB"
        )


if __name__ == "__main__":
    main()
