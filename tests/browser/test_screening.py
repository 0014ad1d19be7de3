"""Issue 21's journey in Chromium: a client who stands on a PEP list under a transliterated
name is submitted; the officer sees the explained hit, decides it a possible match, which rates
the case high; a second officer gives the second approval."""

import json

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.lifecycle import Section
from onboarding.cases.services import case_create, case_section_save
from onboarding.documents.demo import case_fill
from onboarding.kyc.models import Review, ReviewState, ScreeningHit
from onboarding.screening.loading import screening_list_load
from onboarding.submissions.models import Step
from tests.browser.conftest import axe_check, log_in, screenshot, take_and_attest, verify_documents
from tests.factories import staff_create
from tests.submissions.conftest import steps_drive, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTED = {
    "id": "ru-pep-ivanov",
    "schema": "Person",
    "properties": {
        "name": ["Владимир Иванов"],
        "birthDate": ["1965-03-14"],
        "nationality": ["ru"],
        "position": ["Deputy of the State Duma"],
        "topics": ["role.pep"],
        "sourceUrl": ["https://example.org/peps/ru-pep-ivanov"],
    },
    "datasets": ["peps"],
}


def test_it_takes_a_transliterated_pep_hit_to_a_second_approval(
    live_server, chromium, tmp_path, rm_and_officer
):
    base = live_server.url
    rm = rm_and_officer
    tenant = rm.staff_profile.tenants.get()
    staff_create(
        role=Role.COMPLIANCE_OFFICER,
        tenants=[tenant],
        email="diego@example.com",
        first_name="Diego",
        last_name="Soto",
    )
    path = tmp_path / "peps.ftm.json"
    path.write_text(json.dumps(LISTED) + "\n")
    screening_list_load(path=path, dataset="peps")
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)
    client = {
        **case.draft(Section.CLIENT),
        "first_name": ["Vladimir"],
        "paternal_last_name": ["Ivanov"],
        "maternal_last_name": ["Rojas"],
        "date_of_birth": ["1965-03-14"],
    }
    case = case_section_save(
        case=case, section=Section.CLIENT, raw=client, version=case.version, user=rm
    ).case
    submit(case, rm)
    steps_drive(case, approve=False)

    # The first officer sees the hit explained, decides it a possible match: rated high.
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, base, "carla@example.com")
    page.goto(base + reverse("kyc:queue"))
    page.get_by_role("link", name="Vladimir Ivanov Rojas").click()
    hit = page.locator("#screening .hit")
    hit.get_by_text("Владимир Иванов").first.wait_for()
    names = hit.locator(".hit-names").inner_text()
    assert "Vladimir Ivanov Rojas" in names
    assert "Владимир Иванов" in names
    assert "Politically exposed person" in hit.inner_text()
    page.get_by_role("button", name="Assign to me").click()
    page.get_by_text("This review is yours.").wait_for()
    hit = page.locator("#screening .hit")
    hit.get_by_label("Possible match: escalated").check()
    hit.get_by_label("Reason (required for “Not the client”)").fill("Same name and birth date")
    hit.get_by_role("button", name="Record the decision").click()
    hit.get_by_text("Possible match: escalated").last.wait_for()
    page.locator("#rating").get_by_text("A screening hit was decided a possible match").wait_for()
    page.locator("#screening").scroll_into_view_if_needed()
    screenshot(page, "kyc-screening-hit-en")
    axe_check(page, "the review with a screening hit")
    page.reload()
    page.get_by_text("0 of 2 approvals").wait_for()
    verify_documents(page, case)
    take_and_attest(page)
    page.get_by_role("button", name="Give the first approval").click()
    page.get_by_text("a second compliance officer must approve it too").wait_for()
    assert Step.objects.get(case=case, kind="compliance").state == "in_review"

    # A second officer approves; the compliance update goes.
    second = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(second, base, "diego@example.com")
    second.goto(base + reverse("kyc:queue"))
    second.get_by_role("link", name="Vladimir Ivanov Rojas").click()
    second.get_by_text("1 of 2 approvals: Carla Reyes").wait_for()
    second.context.add_cookies([{"name": "django_language", "value": "es", "url": base}])
    second.reload()
    second.locator("#screening .hit").wait_for()
    second.locator("#screening").scroll_into_view_if_needed()
    screenshot(second, "kyc-screening-hit-es")
    second.context.clear_cookies(name="django_language")
    second.reload()
    take_and_attest(second)
    second.get_by_role("button", name="Approve and send").click()
    second.get_by_text("Approved: the compliance update is on its way").wait_for()
    review = Review.objects.get(case=case, state=ReviewState.APPROVED)
    assert review.approvals.count() == 2
    assert ScreeningHit.objects.get(case=case).decision == "possible"
