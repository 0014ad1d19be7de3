"""The officer's review page of a case with six documents: server time and the weight of
its first screen. Targets: p95 ≤ 100 ms server time, first screen ≤ 300 KB.

One case filled in through the services, its compliance call held for review and taken by
the officer, with six documents attached as an RM would: a cédula's front and back
(12-megapixel phone photos), a two-page proof of address and a three-page statement of wealth
(PDFs), the signed consent form (a photo) and a screenshot under "other". Production settings
(DEBUG off) on PostgreSQL (BENCH_DATABASE_URL, created if missing, emptied first).

The weight counts the HTML as sent (gzip), every CSS, JS and image file it references as
WhiteNoise sends it, and the image each of the six documents shows first (its first page's
thumbnail, the one a screen of normal density picks): an upper bound, since the images are
lazy and the browser fetches only those in view.

    uv run python bench/review_documents.py [--requests 200]
"""

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import production_environment

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_review_documents"
)
SANDBOX_PORT = production_environment(database_url=DATABASE_URL, prefix="bench-review-docs-")
PREVIEW = re.compile(r'<img src="(/documents/[^"]+/thumbnail/1/)"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    arguments = parser.parse_args()

    from bench.support import database_ensure

    database_ensure(DATABASE_URL)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from bench.support import (
        database_fresh,
        page_weight,
        percentiles,
        sample_case,
        signed_in,
        timed,
    )
    from onboarding.accounts.demo import demo_data_seed
    from onboarding.cases.lifecycle import StepKind, StepState
    from onboarding.documents.models import DocumentKind
    from onboarding.documents.services import document_attach, documents_of_case
    from onboarding.kyc.services import review_assign, review_open
    from onboarding.submissions.models import Step
    from tests.documents import samples

    call_command("collectstatic", interactive=False, verbosity=0)
    database_fresh()
    rm, officer, _admin = demo_data_seed(password="bench-password-1")
    case, bodies = sample_case(tenant=rm.staff_profile.tenants.get(), rm=rm, port=SANDBOX_PORT)
    documents_of_case(case=case).delete()
    print("attaching six documents…", flush=True)
    photo = samples.jpeg((4000, 3000), gps=True, noise=True)
    attached = [
        (DocumentKind.IDENTITY, photo, ""),
        (DocumentKind.IDENTITY, samples.jpeg((4000, 3000), noise=True), ""),
        (DocumentKind.ADDRESS, samples.pdf(2, text="Cuenta de luz"), ""),
        (DocumentKind.WEALTH, samples.pdf(3, text="Cartola de inversiones"), ""),
        (DocumentKind.CONSENT, samples.jpeg((3000, 4000), noise=True), ""),
        (DocumentKind.OTHER, samples.png((1170, 2532), text="Transferencia"), "Comprobante"),
    ]
    for kind, data, title in attached:
        document_attach(case=case, user=rm, kind=kind, data=data, title=title)
    Step.objects.create(
        case=case,
        kind=StepKind.SALES,
        position=1,
        state=StepState.SUCCEEDED,
        payload=bodies["sales"],
    )
    step = Step.objects.create(
        case=case,
        kind=StepKind.COMPLIANCE,
        position=2,
        state=StepState.IN_REVIEW,
        payload=bodies["compliance"],
    )
    with transaction.atomic():
        review = review_open(step=step, actor=None)
    review_assign(review=review, user=officer)
    url = f"/kyc/reviews/{review.pk}/"
    client = signed_in(officer)

    def request() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    p50, p95 = percentiles(timed(request, arguments.requests, warm=5))
    sent, raw, assets = page_weight(client, url)
    html = client.get(url).content.decode()
    previews = PREVIEW.findall(html)
    preview_bytes = sum(len(client.get(preview).content) for preview in previews)
    total = sent + preview_bytes
    print(
        f"review page with {len(attached)} documents, {arguments.requests} warm requests: "
        f"server p50 {p50:.1f} ms, p95 {p95:.1f} ms (target ≤ 100 ms)"
    )
    print(
        f"first screen: {sent / 1024:.0f} KiB page and {assets} assets as sent "
        f"({raw / 1024:.0f} KiB uncompressed) + {len(previews)} thumbnails "
        f"{preview_bytes / 1024:.0f} KiB = {total / 1024:.0f} KiB (target ≤ 300 KB, "
        f"{'met' if total <= 300_000 else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
