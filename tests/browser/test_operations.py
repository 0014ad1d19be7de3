import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.roles import Role
from onboarding.cases.services import case_create
from onboarding.documents.demo import case_fill
from onboarding.health.probes import altafid_probe_all
from onboarding.health.tasks import record_worker_heartbeat
from onboarding.submissions.models import Step
from onboarding.submissions.worker import step_run
from tests.browser.conftest import log_in, screenshot
from tests.factories import TenantFactory, staff_create
from tests.submissions.conftest import steps_drive, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_an_admin_retry_a_failed_step_that_the_rm_then_sees_succeed(
    live_server, page, chromium, sandbox, settings
):
    base = live_server.url
    settings.SUBMISSION_MAX_ATTEMPTS = 2
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")
    staff_create(role=Role.ADMIN, tenants=[tenant], email="ana@example.com")
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)
    submit(case, rm)
    step_run(step_id=Step.objects.get(case=case, kind="create").pk)
    sales = Step.objects.get(case=case, kind="sales")

    # Altafid is unavailable: the RM sees the automatic retry in plain words.
    sandbox.fail_next("unavailable", method="PUT", path_prefix="/api/contacts", times=2)
    step_run(step_id=sales.pk)
    log_in(page, base, rm.email)
    page.goto(base + reverse("submissions:status", args=[case.pk]))
    page.get_by_text("Altafid was unavailable; trying again automatically at").wait_for()
    screenshot(page, "status-retrying")
    # The retry comes, Altafid is still down, and the tries run out.
    Step.objects.filter(pk=sales.pk).update(run_after=timezone.now())
    step_run(step_id=sales.pk)
    assert Step.objects.get(pk=sales.pk).state == "failed"

    # The admin finds it in the queue, once Altafid is back, and retries it.
    admin_context = chromium.new_context(viewport={"width": 1280, "height": 900})
    admin_page = admin_context.new_page()
    record_worker_heartbeat(token="browser")
    altafid_probe_all()
    log_in(admin_page, base, "ana@example.com")
    admin_page.get_by_role("navigation", name="Main").get_by_role("link", name="Failures").click()
    admin_page.get_by_role("link", name="Juan García López").wait_for()
    screenshot(admin_page, "failures-queue")
    admin_page.get_by_role("link", name="Juan García López").click()
    admin_page.get_by_role("heading", name="Transient or platform: retry").wait_for()
    screenshot(admin_page, "failure-detail")
    admin_page.get_by_role("button", name="Retry now").click()
    admin_page.get_by_text("Queued again: it runs in a moment.").wait_for()
    admin_page.goto(base + reverse("health:status"))
    admin_page.get_by_role("heading", name="Health").wait_for()
    screenshot(admin_page, "health")
    admin_context.close()

    steps_drive(case)
    page.goto(base + reverse("submissions:status", args=[case.pk]))
    assert Step.objects.get(pk=sales.pk).state == "succeeded"
    page.get_by_text("Succeeded").nth(2).wait_for()
    screenshot(page, "status-after-retry")
