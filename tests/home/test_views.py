"""Each role's home page: what needs them now, with counts that open the list they count."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.roles import Role
from onboarding.altafid.errors import AltafidUnavailable, AltafidValidationError
from onboarding.cases.lifecycle import CaseStatus, StepKind, StepState
from onboarding.cases.models import Case
from onboarding.kyc.models import Review
from onboarding.submissions.models import Step
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db
UNAVAILABLE = AltafidUnavailable("down", method="POST", path="/x", status=503).to_dict()


def case_make(tenant, owner, status, name, *, age_days=0):
    case = Case.objects.create(
        tenant=tenant, owner=owner, updated_by=owner, status=status, client_name=name
    )
    if age_days:
        Case.objects.filter(pk=case.pk).update(
            updated_at=timezone.now() - datetime.timedelta(days=age_days)
        )
    return case


def step_make(case, kind, state, **fields):
    return Step.objects.create(
        case=case, kind=kind, position=list(StepKind).index(kind), state=state, payload={}, **fields
    )


def tally(page, label):
    """The count and link of the tally labelled `label`."""
    found = re.search(
        r'<a href="([^"]+)"><span class="tally-count">(\d+)</span> '
        rf'<span class="tally-label">{re.escape(label)}</span>',
        page,
    )
    assert found, f"no tally {label!r}"
    return int(found.group(2)), found.group(1).replace("&amp;", "&")


def listed(client, url):
    """How many rows the list at `url` shows."""
    return len(re.findall(r"<tr[ >]", client.get(url).content.decode())) - 1


def test_it_shows_an_rm_what_needs_them_and_each_count_opens_its_list(client, tenant, rm):
    other = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant])
    case_make(tenant, rm, CaseStatus.RETURNED, "Returned One")
    refused = case_make(tenant, rm, CaseStatus.FAILED, "Refused Two")
    step_make(
        refused,
        StepKind.SALES,
        StepState.FAILED,
        last_error=AltafidValidationError(
            "refused", method="PUT", path="/x", status=422, field_errors={"email": ["bad"]}
        ).to_dict(),
    )
    unavailable = case_make(tenant, rm, CaseStatus.FAILED, "Unavailable Three")
    step_make(unavailable, StepKind.CREATE, StepState.FAILED, last_error=UNAVAILABLE)
    case_make(tenant, rm, CaseStatus.DRAFT, "Idle Four", age_days=8)
    case_make(tenant, rm, CaseStatus.DRAFT, "Fresh Five", age_days=2)
    flying = case_make(tenant, rm, CaseStatus.SUBMITTED, "Flying Six")
    step_make(flying, StepKind.CREATE, StepState.RUNNING)
    case_make(tenant, rm, CaseStatus.AMENDING, "Amending Seven")
    case_make(tenant, rm, CaseStatus.IN_ALTAFID, "Activate Eight")
    twin = case_make(tenant, rm, CaseStatus.FAILED, "Twin Nine")
    step_make(
        twin,
        StepKind.CREATE,
        StepState.NEEDS_ATTENTION,
        last_error={"code": "possible_duplicate", "message": "x"},
    )
    case_make(tenant, rm, CaseStatus.IN_REVIEW, "Review Ten")
    case_make(tenant, other, CaseStatus.RETURNED, "Not Mine")
    client.force_login(rm)

    page = client.get(reverse("home:index")).content.decode()

    needs_you, waiting = page.split('id="waiting-title"')
    for name in ("Returned One", "Refused Two", "Idle Four", "Amending Seven", "Activate Eight"):
        assert name in needs_you, name
    assert "Twin Nine" in needs_you
    for name in ("Unavailable Three", "Flying Six", "Review Ten"):
        assert name in waiting, name
        assert name not in needs_you, name
    assert "Fresh Five" not in page
    assert "Not Mine" not in page
    assert "Submitting (0 of 5 done)" in waiting
    assert "<strong>An administrator</strong>. Altafid failed or did not answer" in waiting
    for label, expected in [
        ("Returned by compliance", 1),
        ("Refused by Altafid: values to fix", 1),
        ("Altafid may already have the client: decide", 1),
        ("Changes not sent yet", 1),
        ("In Altafid: waiting for you to activate", 1),
        ("Drafts untouched for a week", 1),
        ("Stopped: an administrator acts", 1),
        ("Waiting for KYC review", 1),
        ("Sending to Altafid", 1),
    ]:
        count, url = tally(page, label)
        assert count == expected, label
        assert listed(client, url) == expected, label
    assert '<a class="button" href="/cases/new/">New onboarding</a>' in page


def test_it_shows_an_officer_the_queue_head_their_reviews_and_waits(client, tenant, rm, officer):
    other_officer = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant])
    now = timezone.now()
    for number, (days, assignee) in enumerate(
        [(5, None), (4, officer), (1, other_officer), (0, None)]
    ):
        case = case_make(tenant, rm, CaseStatus.IN_REVIEW, f"Client {number}")
        step = step_make(case, StepKind.COMPLIANCE, StepState.IN_REVIEW)
        Review.objects.create(
            tenant=tenant,
            case=case,
            step=step,
            body={},
            picture={},
            digest="d",
            opened_at=now - datetime.timedelta(days=days, hours=1),
            assignee=assignee,
        )
    client.force_login(officer)

    page = client.get(reverse("home:index")).content.decode()

    assert page.index("Client 0") < page.index("Client 1") < page.index("Client 3")
    for label, expected in [
        ("Waiting for review", 4),
        ("Nobody has taken", 2),
        ("Waiting over 3 days", 2),
        ("Taken by me", 1),
    ]:
        count, url = tally(page, label)
        assert count == expected
        assert listed(client, url) == expected
    assert "Waiting times, last 7 days" in page


def test_it_shows_an_admin_failures_health_and_staff(client, tenant, rm, admin):
    decision = case_make(tenant, rm, CaseStatus.FAILED, "Decide Me")
    step_make(decision, StepKind.CREATE, StepState.NEEDS_ATTENTION, last_error=UNAVAILABLE)
    retry = case_make(tenant, rm, CaseStatus.FAILED, "Retry Me")
    step_make(retry, StepKind.CREATE, StepState.FAILED, last_error=UNAVAILABLE)
    staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], is_active=False)
    client.force_login(admin)

    page = client.get(reverse("home:index")).content.decode()

    assert tally(page, "Needs a decision")[0] == 1
    assert tally(page, "Transient or platform: retry")[0] == 1
    assert tally(page, "Fix data")[0] == 0
    count, url = tally(page, "Relationship manager")
    assert count == 2
    assert listed(client, url) == 2
    assert tally(page, "Deactivated")[0] == 1
    assert "Database" in page
    assert "Workers" in page
    assert "Tenant lists from Altafid" not in page


def test_it_counts_only_this_tenants_work(client, tenant, officer, rm):
    elsewhere = TenantFactory()
    stranger = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[elsewhere])
    case = case_make(elsewhere, stranger, CaseStatus.IN_REVIEW, "Elsewhere")
    step = step_make(case, StepKind.COMPLIANCE, StepState.IN_REVIEW)
    Review.objects.create(tenant=elsewhere, case=case, step=step, body={}, picture={}, digest="d")
    client.force_login(officer)

    page = client.get(reverse("home:index")).content.decode()

    assert "Elsewhere" not in page
    assert tally(page, "Waiting for review")[0] == 0


def test_it_tells_someone_without_a_tenant_to_ask_an_administrator(client):
    loner = staff_create(tenants=[])
    client.force_login(loner)

    response = client.get(reverse("home:index"))

    assert response.status_code == 200
    assert "not assigned to any tenant" in response.content.decode()


def test_it_refuses_to_post_to_home(client, rm):
    client.force_login(rm)

    assert client.post(reverse("home:index")).status_code == 405


def test_it_sends_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("home:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_offers_the_worklists_in_the_case_list_filter(client, rm):
    client.force_login(rm)

    page = client.get(reverse("cases:list")).content.decode()

    assert '<option value="refused">' in page
    assert '<option value="idle">' in page
    assert '<option value="in_flight">' in page


def test_it_counts_a_refusal_recorded_without_the_retry_keys_as_refused(client, tenant, rm, admin):
    refused = case_make(tenant, rm, CaseStatus.FAILED, "Odd Record")
    step_make(refused, StepKind.SALES, StepState.FAILED, last_error={"status": 422})
    client.force_login(rm)

    rm_page = client.get(reverse("home:index")).content.decode()
    client.force_login(admin)
    admin_page = client.get(reverse("home:index")).content.decode()

    assert tally(rm_page, "Refused by Altafid: values to fix")[0] == 1
    assert tally(admin_page, "Fix data")[0] == 1
    assert tally(admin_page, "Transient or platform: retry")[0] == 0
