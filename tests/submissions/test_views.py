import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onboarding.cases.demo import COMPLIANCE, SALES
from onboarding.cases.models import Case, Section
from onboarding.cases.services import case_create, case_section_save
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.worker import step_run
from tests.factories import TenantFactory, staff_create
from tests.submissions.conftest import steps_drive, submit

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def logged_in(client, rm):
    client.force_login(rm)
    return client


def test_it_submits_from_review_and_shows_the_steps_polling_while_they_run(logged_in, ready_case):
    review = logged_in.get(reverse("cases:review", args=[ready_case.pk]))
    response = logged_in.post(
        reverse("submissions:submit", args=[ready_case.pk]),
        {"digest": review.context["plan"].digest},
    )

    status_url = reverse("submissions:status", args=[ready_case.pk])
    assert b"Submit to Altafid" in review.content
    assert response.url == status_url
    page = logged_in.get(status_url).content.decode()
    assert "Create contact" in page
    assert 'hx-trigger="every 2s"' in page
    assert f'<a href="{status_url}">Refresh</a>' in page
    assert Step.objects.get(case=ready_case, kind="create").state == StepState.QUEUED


def test_it_stops_polling_once_nothing_runs(logged_in, ready_case, rm, sandbox):
    submit(ready_case, rm)
    steps_drive(ready_case)

    fragment = logged_in.get(reverse("submissions:status", args=[ready_case.pk]), **HTMX)

    html = fragment.content.decode()
    assert "<html" not in html
    assert 'id="submission-steps"' in html
    assert "hx-trigger" not in html
    assert html.count("Succeeded") == 3


def test_it_asks_for_a_confirmation_before_activating(logged_in, ready_case, rm, sandbox):
    submit(ready_case, rm)
    steps_drive(ready_case)
    url = reverse("submissions:activate", args=[ready_case.pk])

    logged_in.post(url)
    assert Step.objects.get(case=ready_case, kind="primary_email").state == StepState.WAITING
    logged_in.post(url, {"confirm": "yes"})

    assert Step.objects.get(case=ready_case, kind="primary_email").state == StepState.QUEUED


def test_it_refuses_to_submit_a_case_with_blocking_sections(logged_in, rm, tenant):
    case = case_create(tenant=tenant, owner=rm)

    review = logged_in.get(reverse("cases:review", args=[case.pk]))
    response = logged_in.post(
        reverse("submissions:submit", args=[case.pk]), {"digest": review.context["plan"].digest}
    )

    assert b"Submit to Altafid" not in review.content
    assert response.url == reverse("cases:review", args=[case.pk])
    assert not Step.objects.filter(case=case).exists()


def test_it_sends_back_to_review_a_case_saved_since_the_rm_reviewed_it(logged_in, ready_case, rm):
    review = logged_in.get(reverse("cases:review", args=[ready_case.pk]))
    case_section_save(
        case=ready_case,
        section=Section.SALES,
        raw={**SALES, "annual_income": ["99000000"]},
        version=ready_case.version,
        user=rm,
    )

    response = logged_in.post(
        reverse("submissions:submit", args=[ready_case.pk]),
        {"digest": review.context["plan"].digest},
        follow=True,
    )

    assert response.redirect_chain[0][0] == reverse("cases:review", args=[ready_case.pk])
    assert "changed since you reviewed it" in response.content.decode()
    assert not Step.objects.filter(case=ready_case).exclude(state=StepState.WAITING).exists()


def test_it_submits_exactly_the_bodies_the_review_page_showed(logged_in, ready_case):
    review = logged_in.get(reverse("cases:review", args=[ready_case.pk]))

    logged_in.post(
        reverse("submissions:submit", args=[ready_case.pk]),
        {"digest": review.context["plan"].digest},
    )

    shown = {item["call"].kind.value: item["call"].body for item in review.context["calls"]}
    sent = {step.kind: step.payload for step in Step.objects.filter(case=ready_case)}
    assert set(sent) == {"create", "sales", "compliance", "primary_email", "credentials"}
    assert sent == shown
    assert Step.objects.get(case=ready_case, kind="create").state == StepState.QUEUED


def test_it_reviews_without_writing_anything(logged_in, ready_case):
    before = Case.objects.filter(pk=ready_case.pk).values().get()

    with CaptureQueriesContext(connection) as queries:
        review = logged_in.get(reverse("cases:review", args=[ready_case.pk]))
    status = logged_in.get(reverse("submissions:status", args=[ready_case.pk]))
    home = logged_in.get(reverse("cases:list"))

    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert [w for w in writes if "django_session" not in w] == []
    assert Case.objects.filter(pk=ready_case.pk).values().get() == before
    assert not Step.objects.filter(case=ready_case).exists()
    assert b"Submit to Altafid" in review.content
    assert b"Not submitted yet." in status.content
    assert b"Submitting" not in home.content


def test_it_shows_altafids_field_errors_on_the_section_they_concern(
    logged_in, ready_case, rm, sandbox
):
    submit(ready_case, rm)
    step_run(step_id=Step.objects.get(case=ready_case, kind="create").pk)
    sales = Step.objects.get(case=ready_case, kind="sales")
    Step.objects.filter(pk=sales.pk).update(
        state=StepState.FAILED,
        last_error={
            "status": 400,
            "message": "Validation failed",
            "payload_version": sales.payload_version,
            "field_errors": {
                "annualIncome": ["must be positive"],
                "addresses[0].zipCode": ["unknown postal code"],
                "somethingNew": ["not allowed"],
            },
        },
    )

    page = logged_in.get(reverse("cases:section", args=[ready_case.pk, "sales"]))
    status = logged_in.get(reverse("submissions:status", args=[ready_case.pk]))
    listing = logged_in.get(reverse("cases:list"))

    html = page.content.decode()
    assert "Altafid refused this section" in html
    assert '<a href="#id_annual_income">Annual income</a>: must be positive' in html
    assert '<a href="#id_addresses-0-zip_code">Address 1: Postal code</a>' in html
    assert "<code>somethingNew</code>: not allowed" in html
    assert (
        '<div class="field-feedback" id="id_annual_income-errors">'
        '<ul class="field-error"><li>must be positive</li>'
    ) in html
    assert (
        'id="id_addresses-0-zip_code-errors"><ul class="field-error"><li>unknown postal code</li>'
    ) in html
    assert "Fix it in “Sales profile”" in status.content.decode()
    assert "Failed: Sales update" in listing.content.decode()

    ready_case.refresh_from_db()
    case_section_save(
        case=ready_case,
        section=Section.SALES,
        raw={**SALES, "annual_income": ["95000000"]},
        version=ready_case.version,
        user=rm,
    )
    logged_in.get(reverse("cases:review", args=[ready_case.pk]))  # prepares the new bodies
    edited = logged_in.get(reverse("cases:section", args=[ready_case.pk, "sales"]))
    assert "Altafid refused this section" in edited.content.decode()
    assert '<div class="field-feedback" id="id_annual_income-errors"></div>' in (
        edited.content.decode()
    )


@pytest.mark.parametrize("name", ["status", "submit", "activate"])
def test_it_hides_another_tenants_case_and_another_rms_case(logged_in, tenant, name):
    stranger = staff_create(tenants=[TenantFactory()])
    foreign = case_create(tenant=stranger.staff_profile.tenants.get(), owner=stranger)
    colleagues = case_create(tenant=tenant, owner=staff_create(tenants=[tenant]))
    method = logged_in.get if name == "status" else logged_in.post

    for other in (foreign, colleagues):
        assert method(reverse(f"submissions:{name}", args=[other.pk])).status_code == 404


def test_it_answers_405_to_a_wrong_method(logged_in, ready_case):
    assert logged_in.post(reverse("submissions:status", args=[ready_case.pk])).status_code == 405
    assert logged_in.get(reverse("submissions:submit", args=[ready_case.pk])).status_code == 405
    assert logged_in.get(reverse("submissions:activate", args=[ready_case.pk])).status_code == 405


def test_it_lists_each_cases_progress(logged_in, ready_case, rm, sandbox):
    submit(ready_case, rm)
    listing = logged_in.get(reverse("cases:list")).content.decode()
    assert "Submitting (0 of 5 done)" in listing
    steps_drive(ready_case)
    assert "In Altafid, not activated" in logged_in.get(reverse("cases:list")).content.decode()
    assert Case.objects.get(pk=ready_case.pk).contact_uuid


def test_it_puts_a_refused_document_on_the_row_it_came_from(logged_in, ready_case, rm, sandbox):
    """The client's identity document goes first in the list, and an empty row is not sent:
    Altafid's third document is the form's second row."""
    compliance = {
        **COMPLIANCE,
        "documents-TOTAL_FORMS": ["2"],
        "documents-0-specification_type": [""],
        "documents-1-specification_type": ["PASSPORT"],
        "documents-1-identity_id": ["P1234567"],
        "documents-1-country": ["ARG"],
    }
    case = case_section_save(
        case=ready_case,
        section=Section.COMPLIANCE,
        raw=compliance,
        version=ready_case.version,
        user=rm,
    ).case
    submit(case, rm)
    steps_drive(case)
    step = Step.objects.get(case=case, kind="compliance")
    Step.objects.filter(pk=step.pk).update(
        state=StepState.FAILED,
        last_error={
            "status": 400,
            "message": "Validation failed",
            "payload_version": step.payload_version,
            "field_errors": {
                "identityDocuments[1].specificationData.identityId": ["expired"],
                "identityDocuments[0].specificationData.identityId": ["unknown"],
            },
        },
    )

    html = logged_in.get(reverse("cases:section", args=[case.pk, "compliance"])).content.decode()

    assert '<a href="#id_documents-1-identity_id">Document 2: Document number</a>: expired' in html
    assert "<code>identityDocuments[0].specificationData.identityId</code>: unknown" in html
    assert 'id="id_documents-1-identity_id-errors"><ul class="field-error"><li>expired' in html
