"""An admin's retry, cancel and erasure racing each other and a save, on PostgreSQL with two
connections: the second waits for the case's lock, then checks what the first left."""

import pytest

from onboarding.accounts.roles import Role
from onboarding.audit.models import Event, EventKind
from onboarding.cases.demo import CLIENT
from onboarding.cases.lifecycle import CaseStatus, ErasureReason, Section
from onboarding.cases.models import Case, SectionRevision
from onboarding.cases.services import SectionLocked, case_section_save
from onboarding.operations import erasure
from onboarding.operations import services as operations
from onboarding.operations.erasure import case_erase
from onboarding.operations.services import ActionRefused, failure_cancel, failure_retry
from onboarding.submissions import services as submissions
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.worker import step_run
from tests.cases.races import race  # noqa: F401 - the fixture
from tests.factories import staff_create
from tests.submissions.conftest import submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin(tenant):
    return staff_create(role=Role.ADMIN, tenants=[tenant], email="ana@example.com")


@pytest.fixture
def failed(ready_case, rm, sandbox, settings):
    """Altafid was down until the tries ran out: the sales update failed for good."""
    settings.SUBMISSION_MAX_ATTEMPTS = 1
    submit(ready_case, rm)
    step_run(step_id=Step.objects.get(case=ready_case, kind="create").pk)
    sandbox.fail_next("unavailable", method="PUT", path_prefix="/api/contacts")
    step_run(step_id=Step.objects.get(case=ready_case, kind="sales").pk)
    step = Step.objects.get(case=ready_case, kind="sales")
    assert step.state == StepState.FAILED
    return step


def _acting(action, step, admin):
    """An admin's action from the failure's page, on the step as that page loaded it."""
    return lambda: action(step=Step.objects.select_related("case").get(pk=step.pk), user=admin)


def test_it_queues_a_failed_step_once_when_two_admins_retry_it(
    race,  # noqa: F811
    failed,
    admin,
    tenant,
):
    colleague = staff_create(role=Role.ADMIN, tenants=[tenant], email="eva@example.com")
    queuing = race.pause(operations, "queue_or_hold")
    first = race.first(_acting(failure_retry, failed, admin), at=queuing, name="first retry")

    second = race.start(_acting(failure_retry, failed, colleague), name="second retry")
    assert race.waits(second), "the second retry did not wait for the first"
    queuing.release()

    first.ok()
    second.refused(ActionRefused)
    assert Step.objects.get(pk=failed.pk).state == StepState.QUEUED
    assert Event.objects.filter(kind=EventKind.FAILURE_RETRIED).count() == 1


def test_it_does_not_cancel_a_submission_an_admin_just_retried(
    race,  # noqa: F811
    failed,
    admin,
):
    """The cancel was decided on a page that showed the step failed; a retry got there
    first and the step is on its way again: the cancel waits, then is refused."""
    queuing = race.pause(operations, "queue_or_hold")
    retry = race.first(_acting(failure_retry, failed, admin), at=queuing, name="retry")

    cancel = race.start(_acting(failure_cancel, failed, admin), name="cancel")
    assert race.waits(cancel), "the cancel did not wait for the retry"
    queuing.release()

    retry.ok()
    cancel.refused(ActionRefused)
    assert Step.objects.get(pk=failed.pk).state == StepState.QUEUED
    assert Case.objects.get(pk=failed.case_id).status == CaseStatus.SUBMITTED


def test_it_does_not_retry_a_submission_an_admin_is_cancelling(
    race,  # noqa: F811
    failed,
    admin,
):
    cancelling = race.pause(submissions, "event_record")
    cancel = race.first(_acting(failure_cancel, failed, admin), at=cancelling, name="cancel")

    retry = race.start(_acting(failure_retry, failed, admin), name="retry")
    assert race.waits(retry), "the retry did not wait for the cancel"
    cancelling.release()

    cancel.ok()
    retry.refused(ActionRefused)
    assert Step.objects.get(pk=failed.pk).state == StepState.CANCELLED
    assert Case.objects.get(pk=failed.case_id).status == CaseStatus.CANCELLED
    assert not Event.objects.filter(kind=EventKind.FAILURE_RETRIED).exists()


def test_it_keeps_nothing_of_a_save_that_comes_in_while_the_client_is_erased(
    race,  # noqa: F811
    ready_case,
    rm,
    admin,
):
    """A page loaded before another save sends its entries while an admin erases the
    client's data: they would be kept as a refused save after the erasure."""
    stale = ready_case.version
    case_section_save(
        case=ready_case,
        section=Section.CLIENT,
        raw={**CLIENT, "first_name": ["Juana"]},
        version=stale,
        user=rm,
    )
    erasing = race.pause(erasure, "searches_forget")
    erase = race.first(
        lambda: case_erase(
            case=Case.objects.get(pk=ready_case.pk),
            user=admin,
            reason=ErasureReason.CLIENT_REQUEST,
            vacuum=False,
        ),
        at=erasing,
        name="erase",
    )

    def save():
        case = Case.objects.get(pk=ready_case.pk)
        raw = {**CLIENT, "first_name": ["Juanita"]}
        return case_section_save(case=case, section=Section.CLIENT, raw=raw, version=stale, user=rm)

    saving = race.start(save, name="save")
    assert race.waits(saving), "the save did not wait for the erasure"
    erasing.release()

    erase.ok()
    refused = saving.refused(SectionLocked)
    assert "erased" in refused.message
    latest = Case.objects.get(pk=ready_case.pk)
    assert latest.erased_at is not None
    assert latest.drafts == {}
    assert not SectionRevision.objects.filter(case=ready_case).exists()
