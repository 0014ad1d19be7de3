"""Nothing creates a second contact for the same person without the RM's recorded decision."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from onboarding.audit.models import Event, EventKind
from onboarding.cases.models import Case, CaseStatus, DuplicateDecision
from onboarding.cases.services import case_create
from onboarding.documents.demo import case_fill
from onboarding.kyc.flags import Flag
from onboarding.kyc.models import Review, ReviewState
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.services import (
    ContactHeld,
    ReasonRequired,
    case_activate,
    contact_decide,
)
from tests.cases.conftest import rm2  # noqa: F401 - a second RM of the tenant
from tests.submissions.conftest import approve, documents_verify, officer_of, steps_drive, submit

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
        reason="Altafid's contact was born in 1975; our client in 1980.",
    )
    steps_drive(ready_case)

    ready_case.refresh_from_db()
    assert len(sandbox.contacts(ready_case.tenant.altafid_uuid)) == 2
    assert ready_case.contact_uuid not in ("", "C-EXISTING")
    assert Event.objects.filter(case=ready_case, kind=EventKind.CONTACT_NEW_CONFIRMED).exists()
    assert Case.objects.get(pk=ready_case.pk).status == "in_altafid"


def _colleagues_case_in_altafid(tenant, rm2, sandbox):  # noqa: F811
    """Another RM's client, created in Altafid by their onboarding."""
    case = case_fill(case_create(tenant=tenant, owner=rm2), rm2)
    submit(case, rm2)
    steps_drive(case)
    case.refresh_from_db()
    assert case.contact_uuid
    return case


def test_it_refuses_to_link_a_contact_another_onboarding_holds_and_names_who_to_ask(
    client,
    tenant,
    rm,
    rm2,  # noqa: F811
    sandbox,
    ready_case,
):
    held = _colleagues_case_in_altafid(tenant, rm2, sandbox)
    client.force_login(rm)

    review = client.get(reverse("cases:review", args=[ready_case.pk])).content.decode()
    linked = client.post(
        reverse("cases:contact", args=[ready_case.pk]),
        {"decision": "linked", "contact": held.contact_uuid},
        follow=True,
    )

    assert f"Held by {rm2}'s onboarding" in review
    assert "This is the client: link" not in review
    assert held.contact_uuid not in review
    assert "juan.garcia@example.com" not in review
    assert (
        f"Another onboarding already holds this Altafid contact: {rm2}" in linked.content.decode()
    )
    ready_case.refresh_from_db()
    assert (ready_case.contact_uuid, ready_case.duplicate_decision) == ("", "")
    with pytest.raises(ContactHeld):
        contact_decide(
            case=ready_case,
            user=rm,
            decision=DuplicateDecision.LINKED,
            contact_uuid=held.contact_uuid,
            candidates=[held.contact_uuid],
        )


def test_it_keeps_one_holder_per_contact_in_the_database(
    tenant,
    rm,
    rm2,  # noqa: F811
    sandbox,
    ready_case,
):
    held = _colleagues_case_in_altafid(tenant, rm2, sandbox)

    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=ready_case.pk).update(contact_uuid=held.contact_uuid)


def test_it_shows_what_altafid_holds_beside_what_a_linked_case_would_send(
    logged_in, ready_case, existing
):
    logged_in.post(
        reverse("cases:contact", args=[ready_case.pk]),
        {"decision": "linked", "contact": "C-EXISTING"},
    )

    html = logged_in.get(reverse("cases:review", args=[ready_case.pk])).content.decode()

    assert "What Submit changes in the Altafid contact" in html
    assert "a compliance officer reviews each update before it is sent" in html
    assert "juan.garcia@elsewhere.example" in html
    assert "juan@example.com" in html


def test_it_sends_nothing_to_a_linked_contact_before_an_officer_approves(
    client, ready_case, rm, sandbox, existing, django_capture_on_commit_callbacks
):
    contact_decide(
        case=ready_case,
        user=rm,
        decision=DuplicateDecision.LINKED,
        contact_uuid="C-EXISTING",
        candidates=["C-EXISTING"],
    )
    submit(ready_case, rm)
    steps_drive(ready_case, approve=False)

    sales = Step.objects.get(case=ready_case, kind="sales")
    assert sales.state == StepState.IN_REVIEW
    assert sandbox.request_count(path_prefix="/api/contacts/C-EXISTING", method="PUT") == 0
    untouched = sandbox.contacts(ready_case.tenant.altafid_uuid)[0]
    assert untouched["preferredEmail"] == "juan.garcia@elsewhere.example"
    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    assert review.step == sales
    officer = officer_of(ready_case.tenant)
    client.force_login(officer)
    page = client.get(reverse("kyc:review", args=[review.pk])).content.decode()
    assert "What approval changes in the Altafid contact" in page
    assert "juan.garcia@elsewhere.example" in page

    documents_verify(review, officer)
    approve(review, officer)
    steps_drive(ready_case, approve=False)

    assert sandbox.request_count(path_prefix="/api/contacts/C-EXISTING", method="PUT") == 1
    compliance = Step.objects.get(case=ready_case, kind="compliance")
    assert compliance.state == StepState.IN_REVIEW
    steps_drive(ready_case)
    assert Case.objects.get(pk=ready_case.pk).status == CaseStatus.IN_ALTAFID


def test_it_reviews_the_login_e_mail_of_a_linked_contact_too(ready_case, rm, sandbox, existing):
    contact_decide(
        case=ready_case,
        user=rm,
        decision=DuplicateDecision.LINKED,
        contact_uuid="C-EXISTING",
        candidates=["C-EXISTING"],
    )
    submit(ready_case, rm)
    steps_drive(ready_case)

    case_activate(case=ready_case, user=rm)
    steps_drive(ready_case, approve=False)

    assert Step.objects.get(case=ready_case, kind="primary_email").state == StepState.IN_REVIEW
    assert "primaryEmail" not in sandbox.contacts(ready_case.tenant.altafid_uuid)[0]


def test_it_lets_the_case_that_created_a_contact_update_it_without_an_extra_review(
    ready_case, rm, sandbox
):
    submit(ready_case, rm)
    steps_drive(ready_case, approve=False)

    assert Step.objects.get(case=ready_case, kind="sales").state == StepState.SUCCEEDED
    assert Step.objects.get(case=ready_case, kind="compliance").state == StepState.IN_REVIEW


def test_it_asks_why_the_client_is_someone_else_at_the_field(logged_in, ready_case, existing):
    response = logged_in.post(
        reverse("cases:contact", args=[ready_case.pk]), {"decision": "new_contact", "reason": " "}
    )

    assert response.status_code == 422
    assert response.context["different"].errors["reason"]
    assert 'aria-describedby="id_reason-errors' in response.content.decode()
    ready_case.refresh_from_db()
    assert ready_case.duplicate_decision == DuplicateDecision.NONE
    with pytest.raises(ReasonRequired):
        contact_decide(
            case=ready_case,
            user=ready_case.owner,
            decision=DuplicateDecision.NEW_CONTACT,
            candidates=["C-EXISTING"],
        )


def test_it_shows_the_officer_why_the_rm_created_a_new_contact(
    client, logged_in, ready_case, rm, existing
):
    logged_in.post(
        reverse("cases:contact", args=[ready_case.pk]),
        {"decision": "new_contact", "reason": "Born in 1975, ours in 1980."},
    )
    submit(ready_case, rm)
    steps_drive(ready_case, approve=False)
    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    client.force_login(officer_of(ready_case.tenant))

    page = client.get(reverse("kyc:review", args=[review.pk])).content.decode()

    assert Flag.DECLARED_DIFFERENT in review.flag_codes
    assert "Said to be someone else than an Altafid contact" in page
    assert "Born in 1975, ours in 1980." in page
    ready_case.refresh_from_db()
    assert ready_case.duplicate_reason == "Born in 1975, ours in 1980."


def test_it_tells_the_rm_on_the_client_section_that_altafid_has_the_person(
    logged_in, ready_case, existing
):
    section = logged_in.get(reverse("cases:section", args=[ready_case.pk, "client"]))
    notice = logged_in.get(
        reverse("cases:matches", args=[ready_case.pk]), headers={"HX-Request": "true"}
    )
    without_js = logged_in.get(reverse("cases:matches", args=[ready_case.pk]))

    assert f'hx-get="{reverse("cases:matches", args=[ready_case.pk])}"' in section.content.decode()
    html = notice.content.decode()
    assert "Altafid already has a contact with this identity number or e-mail." in html
    assert f"{reverse('cases:review', args=[ready_case.pk])}#matches" in html
    assert "<html" not in html
    assert without_js.url == f"{reverse('cases:review', args=[ready_case.pk])}#matches"


def test_it_says_nothing_early_when_altafid_has_nobody_with_that_rut(
    logged_in, ready_case, sandbox
):
    notice = logged_in.get(
        reverse("cases:matches", args=[ready_case.pk]), headers={"HX-Request": "true"}
    )

    assert notice.status_code == 200
    assert "Altafid already has" not in notice.content.decode()


def test_it_never_says_nothing_blocks_beside_an_undecided_contact(logged_in, ready_case, existing):
    html = logged_in.get(reverse("cases:review", args=[ready_case.pk])).content.decode()

    assert "Nothing blocks submission." not in html
    assert "Decide about the contact Altafid already has before submitting." in html
