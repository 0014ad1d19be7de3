"""Nothing creates a second contact for the same person without the RM's recorded decision."""

import pytest
from django.urls import reverse

from onboarding.audit.models import Event, EventKind
from onboarding.cases.models import Case, DuplicateDecision
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.services import contact_decide
from tests.submissions.conftest import steps_drive, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def existing(sandbox, ready_case):
    """Altafid already holds this client, created by someone else."""
    contact = {
        "contactUuid": "C-EXISTING",
        "firstName": "Juan",
        "paternalLastName": "García",
        "identityId": "12345678-5",
        "preferredEmail": "juan.garcia@elsewhere.example",
        "credentialsInitialised": False,
    }
    sandbox.add_contact(ready_case.tenant.altafid_uuid, contact)
    return contact


@pytest.fixture
def logged_in(client, rm):
    client.force_login(rm)
    return client


def test_it_shows_at_review_that_altafid_has_the_person_and_holds_submit(
    logged_in, ready_case, existing
):
    html = logged_in.get(reverse("cases:review", args=[ready_case.pk])).content.decode()

    assert "Is this client already in Altafid?" in html
    assert "C-EXISTING" in html
    assert "This is the client: link" in html
    assert "Submit to Altafid" not in html


def test_it_stops_the_create_when_nobody_decided(ready_case, rm, sandbox, existing):
    submit(ready_case, rm)
    steps_drive(ready_case)

    create = Step.objects.get(case=ready_case, kind="create")
    assert create.state == StepState.NEEDS_ATTENTION
    assert create.last_error["code"] == "possible_duplicate"
    assert create.last_error["candidates"] == ["C-EXISTING"]
    assert sandbox.request_count(path_prefix="/api/contacts", method="POST") == 0
    assert len(sandbox.contacts(ready_case.tenant.altafid_uuid)) == 1


def test_it_links_the_case_to_the_contact_and_sends_the_updates_to_it(
    logged_in, ready_case, rm, sandbox, existing
):
    response = logged_in.post(
        reverse("cases:contact", args=[ready_case.pk]),
        {"decision": "linked", "contact": "C-EXISTING"},
    )
    submit(ready_case, rm)
    steps_drive(ready_case)

    assert response.status_code == 302
    ready_case.refresh_from_db()
    assert ready_case.contact_uuid == "C-EXISTING"
    assert ready_case.duplicate_decision == DuplicateDecision.LINKED
    contacts = sandbox.contacts(ready_case.tenant.altafid_uuid)
    assert [contact["contactUuid"] for contact in contacts] == ["C-EXISTING"]
    assert contacts[0]["annualIncome"] == "90000000"
    assert sandbox.request_count(path_prefix="/api/contacts", method="POST") == 0
    event = Event.objects.get(case=ready_case, kind=EventKind.CONTACT_LINKED)
    assert (event.actor, event.data["contact_uuid"]) == (rm, "C-EXISTING")


def test_it_refuses_to_link_to_a_contact_the_search_did_not_find(logged_in, ready_case, existing):
    logged_in.post(
        reverse("cases:contact", args=[ready_case.pk]),
        {"decision": "linked", "contact": "C-SOMEONE-ELSE"},
    )

    ready_case.refresh_from_db()
    assert ready_case.contact_uuid == ""
    assert ready_case.duplicate_decision == DuplicateDecision.NONE


def test_it_creates_a_new_contact_once_the_rm_says_it_is_someone_else(
    ready_case, rm, sandbox, existing
):
    submit(ready_case, rm)
    steps_drive(ready_case)
    assert Step.objects.get(case=ready_case, kind="create").state == StepState.NEEDS_ATTENTION

    contact_decide(
        case=ready_case,
        user=rm,
        decision=DuplicateDecision.NEW_CONTACT,
        candidates=["C-EXISTING"],
    )
    steps_drive(ready_case)

    ready_case.refresh_from_db()
    assert len(sandbox.contacts(ready_case.tenant.altafid_uuid)) == 2
    assert ready_case.contact_uuid not in ("", "C-EXISTING")
    assert Event.objects.filter(case=ready_case, kind=EventKind.CONTACT_NEW_CONFIRMED).exists()
    assert Case.objects.get(pk=ready_case.pk).status == "in_altafid"
