"""The status page in every state, and the RM's home with a failed case, in both languages:
what the RM reads about where a case is and who acts next."""

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from tests.browser.conftest import log_in, screenshot
from tests.factories import TenantFactory, staff_create
from tests.test_one_reading import STATES, _case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_reads_the_status_page_in_every_state_and_the_home_with_a_failed_case(
    live_server, page, sandbox, settings, language
):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")
    cases = {state: _case(tenant, rm, state) for state in STATES}
    base = live_server.url
    log_in(page, base, rm.email)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])

    for state, case in cases.items():
        page.goto(base + reverse("submissions:status", args=[case.pk]))
        reading = page.locator(".reading")
        reading.wait_for()
        status, _steps, actor = STATES[state]
        assert reading.get_attribute("data-reading") == f"{status}:{actor}"
        screenshot(page, f"status-{state}-{language}")

    page.goto(base + reverse("home:index"))
    page.locator("#waiting-title").wait_for()
    screenshot(page, f"home-rm-with-a-failed-case-{language}")
    waiting = page.locator("section[aria-labelledby=waiting-title]").inner_text()
    assert {"en": "An administrator", "es": "Un administrador"}[language] in waiting
