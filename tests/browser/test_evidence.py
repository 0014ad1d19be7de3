"""The officer's review with the documents beside the data, in Chromium: the viewer under
the strict CSP (page-through, zoom and rotate by buttons and keys) and a finding recorded."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw

from onboarding.cases.demo import case_fill as sections_fill
from onboarding.cases.services import case_create
from onboarding.documents.demo import case_fill
from onboarding.documents.models import ConsentMethod, DocumentKind
from onboarding.documents.services import consent_record, document_attach
from onboarding.kyc.models import DocumentCheck, Review, ReviewState
from tests.browser.conftest import axe_check, log_in, screenshot, take_and_attest
from tests.submissions.conftest import steps_drive, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _card(lines: list[str], size=(640, 400), color=(225, 236, 246), fmt="JPEG") -> bytes:
    """A document-like image: a coloured card with a few lines of text."""
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, size[0] - 8, size[1] - 8), outline=(40, 70, 120), width=4)
    for number, line in enumerate(lines):
        draw.text((32, 32 + number * 36), line, fill=(20, 30, 50))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def _pdf(pages: list[list[str]]) -> bytes:
    images = [_card(lines, size=(500, 700), color=(255, 255, 255), fmt="PNG") for lines in pages]
    opened = [Image.open(io.BytesIO(data)).convert("RGB") for data in images]
    out = io.BytesIO()
    opened[0].save(out, "PDF", save_all=True, append_images=opened[1:])
    return out.getvalue()


@pytest.fixture
def review_with_documents(rm_and_officer):
    rm = rm_and_officer
    tenant = rm.staff_profile.tenants.get()
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)
    submit(case, rm)
    steps_drive(case, approve=False)
    for kind, data, title in [
        (DocumentKind.IDENTITY, _card(["CEDULA DE IDENTIDAD", "GARCIA LOPEZ JUAN"]), "Front"),
        (DocumentKind.IDENTITY, _card(["RUN 12.345.678-5", "Back"], color=(240, 230, 215)), "Back"),
        (
            DocumentKind.ADDRESS,
            _card(["ENEL - Boleta", "Av. Apoquindo 3000"], color=(250, 250, 235)),
            "Electricity bill",
        ),
        (
            DocumentKind.WEALTH,
            _pdf([["Liquidacion de sueldo", "Page 1"], ["Liquidacion de sueldo", "Page 2"]]),
            "Payslips",
        ),
    ]:
        document_attach(case=case, user=rm, kind=kind, data=data, title=title)
    consent_record(
        case=case,
        user=rm,
        notice_version=case.tenant.privacy_notice_version,
        given_at=case.created_at.date(),
        method=ConsentMethod.IN_PERSON,
    )
    return Review.objects.get(case=case, state=ReviewState.WAITING)


def test_it_shows_the_documents_beside_the_data_and_pages_zooms_rotates_by_keyboard(
    live_server, page, review_with_documents
):
    base = live_server.url
    review = review_with_documents
    log_in(page, base, "carla@example.com")
    page.goto(base + reverse("kyc:review", args=[review.pk]))

    wealth = page.locator("#evidence-wealth [data-viewer]")
    status = wealth.locator("[data-viewer-status]")
    assert status.inner_text() == "Page 1 of 2"
    wealth.get_by_role("button", name="Next page").click()
    assert status.inner_text() == "Page 2 of 2"
    # The thumbnail until the officer zooms in; then the preview, sharp at the larger size.
    assert wealth.locator("img").get_attribute("src").endswith("/thumbnail/2/")
    frame = wealth.locator("[data-viewer-frame]")
    frame.focus()
    page.keyboard.press("ArrowLeft")
    assert status.inner_text() == "Page 1 of 2"
    page.keyboard.press("+")
    assert wealth.locator("img").get_attribute("src").endswith("/preview/1/")
    page.keyboard.press("r")
    assert "zoom-2" in frame.get_attribute("class")
    assert "rotate-90" in frame.get_attribute("class")
    wealth.get_by_role("button", name="Rotate a quarter turn").click()
    assert "rotate-180" in frame.get_attribute("class")
    wealth.get_by_role("button", name="Zoom out").click()
    assert "zoom-2" not in frame.get_attribute("class")

    # A finding, recorded in place.
    address = page.locator("#evidence-address")
    address.get_by_label("Verified").check()
    address.get_by_label("Note (optional)").fill("Matches the address.")
    address.get_by_role("button", name="Record the finding").click()
    address.get_by_text("Verified: Matches the address.").wait_for()
    assert DocumentCheck.objects.filter(review=review, verdict="verified").count() == 1
    axe_check(page, "the review with documents")
    page.locator("#evidence").scroll_into_view_if_needed()
    screenshot(page, "kyc-review-documents-en")

    page.context.add_cookies([{"name": "django_language", "value": "es", "url": base}])
    page.reload()
    page.locator("#evidence [data-viewer]").first.wait_for()
    screenshot(page, "kyc-review-documents-es")


@pytest.mark.browser_context(java_script_enabled=False)
def test_it_shows_the_previews_as_plain_images_with_a_link_per_page_without_javascript(
    live_server, page, review_with_documents
):
    base = live_server.url
    log_in(page, base, "carla@example.com")
    page.goto(base + reverse("kyc:review", args=[review_with_documents.pk]))

    wealth = page.locator("#evidence-wealth [data-viewer]")
    assert not wealth.locator("[data-viewer-tools]").is_visible()
    assert wealth.locator("img").evaluate("image => image.naturalWidth") > 0
    link = wealth.get_by_role("link", name="Page 2").get_attribute("href")
    assert link.endswith("/preview/2/")
    # Opened, it is the PNG itself (Chromium's own image page is not fetched here: it styles
    # itself inline, which the preview's CSP refuses, harmlessly).
    answer = page.request.get(base + link)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("image/")


def _attach(page, kind: str, files: list[tuple[str, str, bytes]]) -> None:
    """Attaches the files to the kind on the RM's documents page, as a person does."""
    block = page.locator(f"#kind-{kind}")
    before = block.locator(".document").count()
    block.get_by_label("File or photo").set_input_files(
        [{"name": name, "mimeType": mime, "buffer": data} for name, mime, data in files]
    )
    block.get_by_role("button", name="Attach").click()
    block.locator(".document").nth(before + len(files) - 1).wait_for()


def test_it_runs_the_loop_from_a_missing_proof_of_address_to_an_approval_on_evidence(
    live_server, page, chromium, rm_and_officer
):
    """Issue 20's journey through the pages: the RM attaches a cédula's front and back and a
    PDF, the officer returns the case for a missing proof of address, the RM attaches it and
    sends the case back, the officer verifies every document and approves."""
    base = live_server.url
    rm = rm_and_officer
    tenant = rm.staff_profile.tenants.get()
    case = sections_fill(case_create(tenant=tenant, owner=rm), rm)
    officer_page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    officer_errors: list[str] = []
    # The approval refused until the documents are verified answers 409, as it should.
    officer_page.on(
        "console",
        lambda m: (
            officer_errors.append(m.text)
            if m.type == "error" and "status of 409" not in m.text
            else None
        ),
    )

    log_in(page, base, rm.email)
    page.goto(base + reverse("cases:review", args=[case.pk]))
    page.get_by_role("link", name=re.compile("Attach the client's identity document")).click()
    _attach(
        page,
        "identity",
        [
            ("front.jpg", "image/jpeg", _card(["CEDULA DE IDENTIDAD", "GARCIA LOPEZ JUAN"])),
            ("back.jpg", "image/jpeg", _card(["RUN 12.345.678-5"], color=(240, 230, 215))),
        ],
    )
    payslips = _pdf([["Liquidacion", "1"], ["Liquidacion", "2"]])
    _attach(page, "wealth", [("payslips.pdf", "application/pdf", payslips)])
    page.get_by_label("Given in person, recorded by the relationship manager").check()
    page.get_by_role("button", name="Record the consent").click()
    page.locator(".consent-facts").wait_for()
    page.goto(base + reverse("cases:review", args=[case.pk]))
    page.get_by_role("button", name="Submit to Altafid").click()
    page.wait_for_url(base + reverse("submissions:status", args=[case.pk]))
    steps_drive(case, approve=False)

    # The officer returns it: the proof of address is missing.
    log_in(officer_page, base, "carla@example.com")
    officer_page.goto(base + reverse("kyc:queue"))
    officer_page.get_by_role("link", name="Juan García López").click()
    officer_page.locator("#evidence-address").get_by_text(
        "No document of this kind is attached."
    ).wait_for()
    officer_page.get_by_label("Missing document").check()
    officer_page.locator("#missing-address").check()
    officer_page.get_by_role("button", name="Return to the RM").click()
    officer_page.get_by_text("Returned to Rosa Muñoz with your reasons.").wait_for()

    # The RM sees exactly that request, adds the proof and sends it back.
    page.goto(base + reverse("cases:resume", args=[case.pk]))
    banner = page.locator("#returned")
    banner.get_by_text("Documents to attach:").wait_for()
    assert "Proof of address" in banner.inner_text()
    banner.get_by_role("link", name="Proof of address").click()
    bill = _card(["ENEL - Boleta", "Av. Apoquindo 3000"], color=(250, 250, 235))
    _attach(page, "address", [("bill.jpg", "image/jpeg", bill)])
    page.goto(base + reverse("cases:resume", args=[case.pk]))
    page.get_by_role("button", name="Send back for review").click()
    page.get_by_text("Sent back for review").wait_for()

    # The officer sees the document added since the return, verifies all four, approves.
    officer_page.goto(base + reverse("kyc:queue"))
    officer_page.get_by_role("link", name="Juan García López").click()
    officer_page.locator(".document-changes").get_by_text("Proof of address").wait_for()
    take_and_attest(officer_page)
    officer_page.get_by_role("button", name="Approve and send").click()
    officer_page.get_by_text("Verify every document before approving.").wait_for()
    for number in range(officer_page.locator("[data-viewer]").count()):
        viewer = officer_page.locator("[data-viewer]").nth(number)
        viewer.get_by_label("Verified").check()
        viewer.get_by_role("button", name="Record the finding").click()
        viewer.locator(".check-verified").wait_for()
    officer_page.get_by_text("Every document is verified.", exact=True).wait_for()
    screenshot(officer_page, "kyc-review-documents-verified")
    take_and_attest(officer_page)
    officer_page.get_by_role("button", name="Approve and send").click()
    officer_page.get_by_text("Approved: the compliance update is on its way").wait_for()
    assert Review.objects.filter(case=case, state=ReviewState.APPROVED).count() == 1
    assert officer_errors == []
