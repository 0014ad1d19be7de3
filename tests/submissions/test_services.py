import datetime
import time

import pytest
from django.utils import timezone

from onboarding.cases.models import Case, Section
from onboarding.cases.services import case_create, case_section_save
from onboarding.submissions.models import Attempt, AttemptOutcome, Step, StepState
from onboarding.submissions.services import ActivationNotAllowed, CaseNotReady, case_activate
from onboarding.submissions.sweeper import steps_sweep
from onboarding.submissions.worker import retry_countdown, step_execute, step_run
from tests.submissions.conftest import states, steps_drive, submit

pytestmark = pytest.mark.django_db
SUBMITTED = {
    "create": "succeeded",
    "sales": "succeeded",
    "compliance": "succeeded",
    "primary_email": "waiting",
    "credentials": "waiting",
}


def test_it_runs_create_sales_and_compliance_and_keeps_the_contact_uuid(ready_case, rm, sandbox):
    submit(ready_case, rm)
    steps_drive(ready_case)

    ready_case.refresh_from_db()
    contacts = sandbox.contacts(ready_case.tenant.altafid_uuid)
    assert states(ready_case) == SUBMITTED
    assert [contact["contactUuid"] for contact in contacts] == [ready_case.contact_uuid]
    assert contacts[0]["annualIncome"] == "90000000"


def test_it_keeps_only_masked_copies_of_what_was_sent(ready_case, rm, sandbox):
    submit(ready_case, rm)
    steps_drive(ready_case)

    sent = Attempt.objects.get(step__kind="create").sent
    assert sent["identityId"] == "•••"
    assert sent["firstName"] == "•••"
    assert sent["identityType"] == "CHILE_RUT"


def test_it_never_sends_a_succeeded_step_again(ready_case, rm, sandbox):
    submit(ready_case, rm)
    steps_drive(ready_case)
    creates = sandbox.request_count(path_prefix="/api/contacts", method="POST")

    submit(ready_case, rm)
    steps_drive(ready_case)

    assert sandbox.request_count(path_prefix="/api/contacts", method="POST") == creates
    assert len(sandbox.contacts(ready_case.tenant.altafid_uuid)) == 1


def test_it_refuses_a_case_that_still_has_blocking_sections(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    with pytest.raises(CaseNotReady):
        submit(case, rm)


def test_it_adopts_the_contact_an_unanswered_create_made(ready_case, rm, sandbox):
    sandbox.fail_next("drop_after_write", method="POST", path_prefix="/api/contacts")

    submit(ready_case, rm)
    steps_drive(ready_case)

    ready_case.refresh_from_db()
    outcomes = list(Attempt.objects.filter(step__kind="create").values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.AMBIGUOUS, AttemptOutcome.ADOPTED]
    assert len(sandbox.contacts(ready_case.tenant.altafid_uuid)) == 1
    assert states(ready_case) == SUBMITTED


def test_it_creates_again_when_the_search_finds_nothing(ready_case, rm, sandbox):
    sandbox.fail_next("drop_before", method="POST", path_prefix="/api/contacts")

    submit(ready_case, rm)
    steps_drive(ready_case)

    assert len(sandbox.contacts(ready_case.tenant.altafid_uuid)) == 1
    assert states(ready_case)["create"] == StepState.SUCCEEDED


def test_it_stops_for_a_person_when_the_search_cannot_decide(ready_case, rm, sandbox):
    sandbox.fail_next("drop_after_write", method="POST", path_prefix="/api/contacts")
    submit(ready_case, rm)
    create = Step.objects.get(case=ready_case, kind="create")
    step_run(step_id=create.pk)
    twin = dict(sandbox.contacts(ready_case.tenant.altafid_uuid)[0])
    sandbox.add_contact(ready_case.tenant.altafid_uuid, {**twin, "contactUuid": "C-TWIN"})

    steps_drive(ready_case)

    create.refresh_from_db()
    assert create.state == StepState.NEEDS_ATTENTION
    assert "several contacts match" in create.last_error["message"]
    assert states(ready_case)["sales"] == StepState.WAITING


def test_it_retries_a_rate_limited_step_no_sooner_than_retry_after(ready_case, rm, sandbox):
    sandbox.fail_next("rate_limit", method="PUT", path_prefix="/api/contacts")
    submit(ready_case, rm)
    create = Step.objects.get(case=ready_case, kind="create")
    step_run(step_id=create.pk)
    sales = Step.objects.get(case=ready_case, kind="sales")

    step_run(step_id=sales.pk)

    sales.refresh_from_db()
    assert sales.state == StepState.QUEUED
    assert sales.last_error["status"] == 429
    assert sales.run_after >= timezone.now() + datetime.timedelta(seconds=0.5)
    step_run(step_id=sales.pk)
    sales.refresh_from_db()
    assert sales.state == StepState.QUEUED, "a step is not run before its countdown is over"
    steps_drive(ready_case)
    assert states(ready_case) == SUBMITTED


def test_it_fails_a_step_at_once_on_a_final_error(ready_case, rm, sandbox):
    submit(ready_case, rm)
    create = Step.objects.get(case=ready_case, kind="create")
    step_run(step_id=create.pk)
    Case.objects.filter(pk=ready_case.pk).update(contact_uuid="C-UNKNOWN")

    steps_drive(ready_case)

    sales = Step.objects.get(case=ready_case, kind="sales")
    assert sales.state == StepState.FAILED
    assert sales.last_error["status"] == 404
    assert sales.last_error["payload_version"] == ready_case.version
    assert sales.attempts == 1


def test_it_lets_one_worker_claim_a_step(ready_case, rm, sandbox):
    submit(ready_case, rm)
    create = Step.objects.get(case=ready_case, kind="create")
    Step.objects.filter(pk=create.pk).update(state=StepState.RUNNING)

    step_run(step_id=create.pk)

    assert sandbox.request_count(path_prefix="/api/contacts", method="POST") == 0


def test_it_takes_back_a_step_whose_worker_vanished(ready_case, rm, sandbox):
    submit(ready_case, rm)
    create = Step.objects.get(case=ready_case, kind="create")
    past = timezone.now() - datetime.timedelta(seconds=1)
    Step.objects.filter(pk=create.pk).update(
        state=StepState.RUNNING, lease_expires_at=past, started_at=past, tries=1
    )

    assert steps_sweep() == 1

    create.refresh_from_db()
    assert create.state == StepState.QUEUED
    assert create.history.get().outcome == AttemptOutcome.AMBIGUOUS


def test_it_activates_only_after_the_compliance_update(ready_case, rm, sandbox):
    with pytest.raises(ActivationNotAllowed):
        case_activate(case=ready_case, user=rm)
    submit(ready_case, rm)
    steps_drive(ready_case)

    case_activate(case=ready_case, user=rm)
    steps_drive(ready_case)

    assert set(states(ready_case).values()) == {StepState.SUCCEEDED}
    contact = sandbox.contacts(ready_case.tenant.altafid_uuid)[0]
    assert contact["primaryEmail"] == "juan@example.com"


def test_it_stops_retrying_once_the_time_since_it_was_queued_is_up(
    ready_case, rm, sandbox, settings
):
    settings.SUBMISSION_MAX_SECONDS = 60
    submit(ready_case, rm)
    step_run(step_id=Step.objects.get(case=ready_case, kind="create").pk)
    sales = Step.objects.get(case=ready_case, kind="sales")
    # Queued 59 s ago: the first failure still leaves time for a retry, the second does not.
    Step.objects.filter(pk=sales.pk).update(
        queued_at=timezone.now() - datetime.timedelta(seconds=59)
    )
    sandbox.fail_next("unavailable", method="PUT", path_prefix="/api/contacts")
    step_run(step_id=sales.pk)
    sales.refresh_from_db()
    assert sales.state == StepState.QUEUED
    time.sleep(1.1)

    Step.objects.filter(pk=sales.pk).update(run_after=timezone.now())
    sandbox.fail_next("unavailable", method="PUT", path_prefix="/api/contacts")
    step_run(step_id=sales.pk)

    sales.refresh_from_db()
    assert sales.state == StepState.FAILED
    assert sales.attempts == 2
    # The last try does not promise another.
    assert list(sales.history.values_list("outcome", flat=True)) == [
        AttemptOutcome.RETRY,
        AttemptOutcome.FAILED,
    ]


def test_it_tells_an_error_answer_from_no_answer(ready_case, rm, sandbox):
    submit(ready_case, rm)
    step_run(step_id=Step.objects.get(case=ready_case, kind="create").pk)
    sales = Step.objects.get(case=ready_case, kind="sales")
    sandbox.fail_next("server_error", method="PUT", path_prefix="/api/contacts")

    step_run(step_id=sales.pk)

    attempt = sales.history.get()
    assert attempt.outcome == AttemptOutcome.SERVER_ERROR
    assert attempt.http_status == 500
    assert attempt.get_outcome_display().startswith("Altafid answered with an error")


@pytest.mark.parametrize("attempts", [1, 3, 8, 30])
def test_it_backs_off_exponentially_within_the_time_a_step_may_keep_trying(settings, attempts):
    settings.SUBMISSION_BACKOFF_BASE_SECONDS = 2
    settings.SUBMISSION_BACKOFF_MAX_SECONDS = 300
    ceiling = min(300, 2 * 2 ** (attempts - 1))

    countdowns = [retry_countdown(attempts=attempts, retry_after=None) for _ in range(50)]

    assert all(ceiling / 2 <= c <= ceiling for c in countdowns)
    assert retry_countdown(attempts=1, retry_after=30) >= 30
    assert retry_countdown(attempts=1, retry_after=10**6) == settings.SUBMISSION_MAX_SECONDS


def test_it_sends_what_was_there_when_the_rm_submitted(ready_case, rm, sandbox):
    submit(ready_case, rm)
    drafts = dict(ready_case.drafts)
    drafts["client"] = {**drafts["client"], "first_name": ["Changed"]}
    Case.objects.filter(pk=ready_case.pk).update(drafts=drafts)

    steps_drive(ready_case)

    assert sandbox.contacts(ready_case.tenant.altafid_uuid)[0]["firstName"] == "Juan"


def test_it_runs_the_following_steps_in_the_same_task(ready_case, rm, sandbox):
    from onboarding.submissions.tasks import run_step

    submit(ready_case, rm)

    run_step(Step.objects.get(case=ready_case, kind="create").pk)

    # The chain runs on by itself up to the KYC review, and stops there.
    assert states(ready_case) == {**SUBMITTED, "compliance": "in_review"}


def test_it_activates_with_the_activation_section_as_edited_after_submitting(
    ready_case, rm, sandbox
):
    submit(ready_case, rm)
    steps_drive(ready_case)
    ready_case.refresh_from_db()
    case_section_save(
        case=ready_case,
        section=Section.ACTIVATION,
        raw={"login_email": ["other"], "primary_email": ["login@example.com"]},
        version=ready_case.version,
        user=rm,
    )

    case_activate(case=ready_case, user=rm)
    steps_drive(ready_case)

    assert (
        sandbox.contacts(ready_case.tenant.altafid_uuid)[0]["primaryEmail"] == "login@example.com"
    )


def test_it_lets_a_late_worker_neither_undo_the_sweeper_nor_create_twice(ready_case, rm, sandbox):
    submit(ready_case, rm)
    create = Step.objects.get(case=ready_case, kind="create")
    past = timezone.now() - datetime.timedelta(seconds=1)
    Step.objects.filter(pk=create.pk).update(
        state=StepState.RUNNING, lease_expires_at=past, tries=1, attempts=1
    )
    late = Step.objects.select_related("case__tenant").get(pk=create.pk)
    steps_sweep()

    step_execute(step=late)

    create.refresh_from_db()
    assert create.state == StepState.QUEUED
    steps_drive(ready_case)
    assert states(ready_case) == SUBMITTED
    assert len(sandbox.contacts(ready_case.tenant.altafid_uuid)) == 1
