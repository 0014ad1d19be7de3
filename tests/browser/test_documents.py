import io

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter

from onboarding.accounts.roles import Role
from onboarding.cases.demo import CLIENT
from onboarding.cases.models import Section
from onboarding.cases.services import case_create, case_section_save
from onboarding.documents.models import Consent, Document
from tests.browser.conftest import axe_check, log_in, screenshot
from tests.factories import TenantFactory, staff_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _previews_shown(page) -> list[int]:
    return page.eval_on_selector_all(
        "img.document-preview", "images => images.map(image => image.naturalWidth)"
    )


def test_it_lets_the_rm_attach_a_cedula_and_a_pdf_and_record_consent(
    live_server, page, sandbox, settings
):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")
    case = case_create(tenant=tenant, owner=rm)
    case_section_save(case=case, section=Section.CLIENT, raw=CLIENT, version=case.version, user=rm)
    log_in(page, live_server.url, rm.email)

    page.goto(live_server.url + reverse("cases:section", args=[case.pk, "client"]))
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Documents").click()
    page.locator("#kind-identity").get_by_text("required, missing").wait_for()

    identity = page.locator("#kind-identity")
    identity.get_by_label("Description (optional)").fill("Cédula")
    identity.get_by_label("File or photo").set_input_files(
        [
            {"name": "front.jpg", "mimeType": "image/jpeg", "buffer": _jpeg("#c8d6e5")},
            {"name": "back.jpg", "mimeType": "image/jpeg", "buffer": _jpeg("#576574")},
        ]
    )
    identity.get_by_role("button", name="Attach").click()
    page.locator("#kind-identity .document").nth(1).wait_for()

    address = page.locator("#kind-address")
    address.get_by_label("File or photo").set_input_files(
        {"name": "bill.pdf", "mimeType": "application/pdf", "buffer": _pdf()}
    )
    address.get_by_role("button", name="Attach").click()
    page.locator("#kind-address .document").wait_for()

    page.get_by_label("Given in person, recorded by the relationship manager").check()
    page.get_by_role("button", name="Record the consent").click()
    page.locator(".consent-facts").wait_for()

    page.wait_for_function(
        "() => [...document.querySelectorAll('img.document-preview')]"
        ".every(image => image.complete && image.naturalWidth > 0)"
    )
    assert len(_previews_shown(page)) == 3
    assert Document.objects.filter(case=case, removed_at__isnull=True).count() == 3
    assert Consent.objects.filter(case=case).count() == 1
    assert page.locator("#kind-identity").get_by_text("required, missing").count() == 0
    screenshot(page, "documents-rm-en")
    axe_check(page, "the documents page")

    page.locator("#language").select_option("es")
    page.locator(".language-form button").click()
    page.wait_for_selector("html[lang='es']")
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.document-preview')]"
        ".every(image => image.complete && image.naturalWidth > 0)"
    )
    screenshot(page, "documents-rm-es")
