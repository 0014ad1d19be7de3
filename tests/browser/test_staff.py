import re

import pytest
from django.core import mail
from django.urls import reverse

from onboarding.accounts.models import User
from onboarding.accounts.roles import Role
from onboarding.cases.models import Case
from onboarding.cases.services import case_create
from tests.browser.conftest import log_in, screenshot
from tests.factories import TenantFactory, staff_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # A refused form answers 422 with the errors next to its fields.
    pytest.mark.expect_http_status(422),
]


def _invite(page, email):
    """Fills the invitation form for Nuevo Pérez, compliance officer, and sends it."""
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("First name").fill("Nuevo")
    page.get_by_label("Last name").fill("Pérez")
    page.get_by_label("Role").select_option("compliance_officer")
    page.get_by_role("button", name="Send the invitation").click()


def test_it_lets_an_admin_invite_someone_who_then_chooses_a_password(live_server, page, settings):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    admin = staff_create(role=Role.ADMIN, tenants=[tenant], email="ana@example.com")
    staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")

    log_in(page, live_server.url, admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff").click()
    page.get_by_role("heading", name="Staff", exact=True).wait_for()
    screenshot(page, "staff-list")
    page.get_by_role("link", name="Invite someone").click()
    _invite(page, "rosa@example.com")
    page.get_by_text("This person is already in your staff list.").wait_for()
    assert page.get_by_label("First name").input_value() == "Nuevo"
    screenshot(page, "staff-invite-refused")
    page.get_by_label("E-mail address").fill("nuevo@example.com")
    page.get_by_role("button", name="Send the invitation").click()
    page.get_by_text("Invitation for nuevo@example.com requested.").wait_for()
    page.locator("#results").get_by_role("link", name="Nuevo Pérez").click()
    page.get_by_role("heading", name="Nuevo Pérez").wait_for()
    screenshot(page, "staff-detail-invited")
    page.get_by_role("button", name="Log out").click()

    link = re.search(r"https?://\S+/invitation/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.locator("#id_new_password1").fill("a-long-new-pass-2026")
    page.locator("#id_new_password2").fill("a-long-new-pass-2026")
    screenshot(page, "staff-invitation-accept")
    page.get_by_role("button", name="Set my password").click()

    page.get_by_text("Your password is set. Welcome.").wait_for()
    assert page.get_by_text("Compliance officer").first.is_visible()
    assert User.objects.get(email="nuevo@example.com").last_login is not None


def test_it_lets_an_admin_deactivate_an_rm_and_hand_over_their_cases(live_server, page, settings):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    admin = staff_create(role=Role.ADMIN, tenants=[tenant], email="ana@example.com")
    leaving = staff_create(
        role=Role.RELATIONSHIP_MANAGER,
        tenants=[tenant],
        email="leaving@example.com",
        first_name="Luis",
        last_name="Soto",
    )
    staying = staff_create(
        role=Role.RELATIONSHIP_MANAGER,
        tenants=[tenant],
        email="staying@example.com",
        first_name="Marta",
        last_name="Díaz",
    )
    cases = [case_create(tenant=tenant, owner=leaving) for _ in range(2)]

    log_in(page, live_server.url, admin.email)
    page.goto(live_server.url + reverse("staff:detail", args=[leaving.pk]))
    page.get_by_text("They own 2 open onboardings").wait_for()
    page.get_by_label("I confirm that this person loses access now.").check()
    page.get_by_role("button", name="Deactivate").click()
    page.get_by_text("Choose who takes over this person's open onboardings.").wait_for()
    page.get_by_label("Who takes over their open onboardings").select_option(str(staying.pk))
    page.get_by_label("I confirm that this person loses access now.").check()
    page.get_by_role("button", name="Deactivate").click()

    page.get_by_text("2 onboardings were handed over").wait_for()
    screenshot(page, "staff-detail-deactivated")
    assert {case.owner_id for case in Case.objects.filter(pk__in=[c.pk for c in cases])} == {
        staying.pk
    }
    assert page.get_by_role("button", name="Reactivate").is_visible()


def test_it_shows_on_the_persons_page_an_invitation_the_mail_server_refused(
    live_server, page, settings
):
    from tests.notices.test_notices import MAIL_SERVER_DOWN

    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    admin = staff_create(role=Role.ADMIN, tenants=[tenant], email="ana@example.com")
    for name, value in MAIL_SERVER_DOWN.items():
        setattr(settings, name, value)

    log_in(page, live_server.url, admin.email)
    page.goto(live_server.url + reverse("staff:invite"))
    _invite(page, "nuevo@example.com")
    page.get_by_text("Invitation for nuevo@example.com requested.").wait_for()
    page.locator("#results").get_by_role("link", name="Nuevo Pérez").click()

    state = page.locator("#invitation-mail")
    state.get_by_text("Not sent yet").wait_for()
    assert "The mail server refused it once; next try at" in state.inner_text()
    screenshot(page, "staff-detail-invitation-refused")
