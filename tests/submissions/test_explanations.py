"""What the RM reads when Altafid misbehaves: plain words, the retry's time, no class names."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.roles import Role
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.reads import step_explanation, step_technical
from onboarding.submissions.worker import step_run
from tests.factories import staff_create
from tests.submissions.conftest import steps_drive, submit

pytestmark = pytest.mark.django_db


def test_it_says_when_an_unavailable_altafid_is_tried_again(ready_case, rm, sandbox, settings):
    settings.SUBMISSION_MAX_ATTEMPTS = 8
    submit(ready_case, rm)
    sandbox.fail_next("drop_before", method="POST", path_prefix="/api/contacts")
    step_run(step_id=Step.objects.get(case=ready_case, kind="create").pk)
    create = Step.objects.get(case=ready_case, kind="create")

    text = step_explanation(create)

    assert create.state == StepState.QUEUED
    at = timezone.localtime(create.run_after).strftime("%H:%M")
    assert text == f"Altafid was unavailable; trying again automatically at {at} (try 2 of 8)."
    assert "Error" not in text
    assert "ConnectError" in step_technical(create) or "RemoteProtocol" in step_technical(create)


def test_it_says_a_refusal_names_values_to_fix_in_the_section():
    step = Step(
        kind="sales",
        state=StepState.FAILED,
        last_error={"status": 400, "code": "BE0201", "field_errors": {"a": ["x"], "b": ["y"]}},
    )

    assert step_explanation(step) == "Altafid refused 2 values: fix them in “Sales profile”."


def test_it_says_when_the_tries_ran_out(settings):
    settings.SUBMISSION_MAX_ATTEMPTS = 8
    step = Step(
        kind="sales",
        state=StepState.FAILED,
        attempts=8,
        last_error={"status": 503, "retryable": True, "type": "AltafidUnavailable"},
    )

    text = step_explanation(step)

    assert text.startswith("Altafid was unavailable until the tries ran out (8 of 8).")
    assert "AltafidUnavailable" not in text


def test_it_says_an_unanswered_create_was_found_and_continued(ready_case, rm, sandbox):
    sandbox.fail_next("drop_after_write", method="POST", path_prefix="/api/contacts")
    submit(ready_case, rm)
    steps_drive(ready_case)

    response_text = step_explanation(Step.objects.get(case=ready_case, kind="create"), adopted=True)

    assert "the contact was found and the onboarding continued" in response_text


def test_it_shows_no_exception_names_to_the_rm_but_details_to_admins(
    client, ready_case, rm, sandbox
):
    submit(ready_case, rm)
    sandbox.fail_next("drop_before", method="POST", path_prefix="/api/contacts")
    step_run(step_id=Step.objects.get(case=ready_case, kind="create").pk)
    Step.objects.filter(case=ready_case, kind="create").update(
        run_after=timezone.now() + datetime.timedelta(minutes=5)
    )
    client.force_login(rm)

    page = client.get(reverse("submissions:status", args=[ready_case.pk])).content.decode()
    client.force_login(staff_create(role=Role.ADMIN, tenants=[ready_case.tenant]))
    admin_page = client.get(reverse("submissions:status", args=[ready_case.pk])).content.decode()

    assert "trying again automatically" in page
    assert "Error" not in page.split('id="submission"')[1].split("</table>")[0]
    assert 'class="technical"' not in page
    assert 'class="technical"' in admin_page


def test_it_opens_the_status_page_from_the_list_for_a_running_submission(client, ready_case, rm):
    submit(ready_case, rm)
    client.force_login(rm)

    page = client.get(reverse("cases:list")).content.decode()

    assert f'href="{reverse("submissions:status", args=[ready_case.pk])}">Juan García López' in page


def test_it_fetches_the_lists_again_when_altafid_refuses_a_code(ready_case, rm, sandbox):
    from onboarding.altafid.sandbox.data import STAGES
    from onboarding.lookups.kinds import LookupKind
    from onboarding.lookups.services import lookups_get

    submit(ready_case, rm)
    step_run(step_id=Step.objects.get(case=ready_case, kind="create").pk)
    # The stage the RM chose (conStage002) was disabled in Altafid since the page was shown.
    stages = [
        {**stage, "enabled": False} if stage["code"] == "conStage002" else stage for stage in STAGES
    ]
    sandbox.set_lookup("stages", stages, tenant_uuid=ready_case.tenant.altafid_uuid)
    before = sandbox.request_count(path_prefix="/api/core/platformconfigs/v1/contacts/stages")

    step_run(step_id=Step.objects.get(case=ready_case, kind="sales").pk)

    sales = Step.objects.get(case=ready_case, kind="sales")
    assert sales.state == StepState.FAILED
    assert "stageName" in sales.last_error["field_errors"]
    after = sandbox.request_count(path_prefix="/api/core/platformconfigs/v1/contacts/stages")
    assert after == before + 1
    offered = lookups_get(tenant=ready_case.tenant, kinds=[LookupKind.STAGES])
    assert "conStage002" not in dict(offered[LookupKind.STAGES].options)
