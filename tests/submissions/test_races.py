"""Submit and activate racing a save or each other, on PostgreSQL with two connections: the
second writer waits for the case's lock, then checks what the first left (`cases.locks`)."""

import pytest

from onboarding.audit.models import Event, EventKind
from onboarding.cases import services as case_services
from onboarding.cases.demo import CLIENT
from onboarding.cases.lifecycle import CaseStatus, Section
from onboarding.cases.models import Case
from onboarding.cases.services import SectionLocked, case_section_save
from onboarding.submissions import services
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.plans import submission_plan
from onboarding.submissions.services import (
    CaseChangedSinceReview,
    SubmissionUnderWay,
    case_activate,
    case_submit,
)
from tests.cases.races import race  # noqa: F401 - the fixture
from tests.submissions.conftest import steps_drive, submit

pytestmark = pytest.mark.django_db(transaction=True)


def _saving(case_id, user, version, **changes):
    """A save of the Client section as its page posts it, from the page's copy of the case."""

    def save():
        case = Case.objects.get(pk=case_id)
        raw = {**CLIENT, **{name: [value] for name, value in changes.items()}}
        return case_section_save(
            case=case, section=Section.CLIENT, raw=raw, version=version, user=user
        )

    return save


def _submitting(case_id, user, digest):
    return lambda: case_submit(case=Case.objects.get(pk=case_id), user=user, digest=digest)


def test_it_refuses_a_save_that_comes_in_while_submit_holds_the_case(
    race,  # noqa: F811
    ready_case,
    rm,
    sandbox,
):
    """The save checks the case while Submit is under way, and would write after it: the
    Client section it changes is being sent, and the case is no longer ready."""
    digest = submission_plan(case=ready_case).digest
    submitting = race.pause(services, "_first_start")
    submit_run = race.first(_submitting(ready_case.pk, rm, digest), at=submitting, name="submit")

    save = race.start(_saving(ready_case.pk, rm, ready_case.version, first_name="Juana"))
    assert race.waits(save), "the save did not wait for the Submit holding the case"
    submitting.release()

    submit_run.ok()
    refused = save.refused(SectionLocked)
    assert "being sent" in refused.message
    case = Case.objects.get(pk=ready_case.pk)
    assert case.draft(Section.CLIENT)["first_name"] == ["Juan"]
    assert case.status == CaseStatus.SUBMITTED
    assert Step.objects.get(case=case, kind="create").state == StepState.QUEUED
    assert case.version == ready_case.version + 1


def test_it_refuses_a_submit_that_comes_in_while_a_save_holds_the_case(
    race,  # noqa: F811
    ready_case,
    rm,
    sandbox,
):
    """The review page was shown before the save: Submit waits for the save, then finds the
    plan changed and sends nothing, rather than sending while the save writes."""
    digest = submission_plan(case=ready_case).digest
    storing = race.pause(case_services, "_store")
    save = race.first(
        _saving(ready_case.pk, rm, ready_case.version, first_name="Juana"), at=storing, name="save"
    )

    submit_run = race.start(_submitting(ready_case.pk, rm, digest), name="submit")
    assert race.waits(submit_run), "the Submit did not wait for the save holding the case"
    storing.release()

    save.ok()
    submit_run.refused(CaseChangedSinceReview)
    case = Case.objects.get(pk=ready_case.pk)
    assert case.draft(Section.CLIENT)["first_name"] == ["Juana"]
    assert case.status == CaseStatus.READY
    assert not Step.objects.filter(case=case).exists()


def test_it_activates_once_when_activate_is_clicked_twice(
    race,  # noqa: F811
    ready_case,
    rm,
    sandbox,
):
    submit(ready_case, rm)
    steps_drive(ready_case)
    starting = race.pause(services, "_steps_start")
    activate = lambda: case_activate(case=Case.objects.get(pk=ready_case.pk), user=rm)  # noqa: E731
    first = race.first(activate, at=starting, name="first activate")

    second = race.start(activate, name="second activate")
    assert race.waits(second), "the second activation did not wait for the first"
    starting.release()

    first.ok()
    second.refused(SubmissionUnderWay)
    assert Event.objects.filter(case=ready_case, kind=EventKind.ACTIVATION_REQUESTED).count() == 1
    assert Step.objects.get(case=ready_case, kind="primary_email").state == StepState.QUEUED
