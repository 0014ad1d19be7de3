"""Back and Forward after an htmx filter show whole pages, and no page goes into the
browser's storage."""

import pytest
from django.urls import reverse

from onboarding.cases.services import case_create
from onboarding.documents.demo import case_fill
from tests.browser.conftest import log_in
from tests.factories import TenantFactory, staff_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_whole_pages_on_back_and_forward_after_a_filter(
    live_server, page, sandbox, settings
):
    from onboarding.accounts.roles import Role

    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")
    case_fill(case_create(tenant=tenant, owner=rm), rm)
    base = live_server.url
    log_in(page, base, rm.email)

    page.goto(base + reverse("cases:list"))
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.get_by_label("Search by name, e-mail or identity number").fill("García")
    page.wait_for_url("**search=1**")
    page.get_by_role("link", name="Juan García López").click()
    page.get_by_role("heading", level=1).wait_for()
    page.go_back()
    page.wait_for_url("**search=1**")
    page.get_by_role("heading", name="Onboardings").wait_for()
    back = page.content()
    page.go_forward()
    page.get_by_role("heading", level=1).wait_for()

    assert 'name="q"' in back
    assert "Juan García López" in back
    assert page.get_by_role("navigation", name="Main").is_visible()
    stored = page.evaluate("() => JSON.stringify(Object.keys(sessionStorage))")
    assert "htmx-history-cache" not in stored
