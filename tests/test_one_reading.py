"""One truth about each case: every page that shows a case, in every state, for every person
who may see it, says the same thing about where it is and who acts next, and offers only what
that person may do."""

import re

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.lifecycle import Actor, CaseStatus, StepKind, StepState
from onboarding.cases.models import Case
from onboarding.kyc.models import Review
from onboarding.submissions.models import Step
from tests.factories import TenantFactory, staff_create, verified_login

pytestmark = pytest.mark.django_db

REFUSED = {"status": 422, "retryable": False, "ambiguous": False, "message": "refused"}
DOWN = {"status": 503, "retryable": True, "ambiguous": False, "message": "down"}
TWIN = {"code": "possible_duplicate", "message": "Altafid may have them"}
UNANSWERED = {"code": "unanswered_create", "message": "no answer"}
DONE = StepState.SUCCEEDED
# (case status, {step kind: (state, last error)}, who acts next)
STATES = {
    "draft": (CaseStatus.DRAFT, {}, Actor.RM),
    "ready": (CaseStatus.READY, {}, Actor.RM),
    "submitted": (
        CaseStatus.SUBMITTED,
        {StepKind.CREATE: (StepState.RUNNING, None)},
        Actor.ALTAFID,
    ),
    "in_review": (
        CaseStatus.IN_REVIEW,
        {
            StepKind.CREATE: (DONE, None),
            StepKind.SALES: (DONE, None),
            StepKind.COMPLIANCE: (StepState.IN_REVIEW, None),
        },
        Actor.OFFICER,
    ),
    "returned": (
        CaseStatus.RETURNED,
        {
            StepKind.CREATE: (DONE, None),
            StepKind.SALES: (DONE, None),
            StepKind.COMPLIANCE: (StepState.RETURNED, None),
        },
        Actor.RM,
    ),
    "failed_fix_data": (
        CaseStatus.FAILED,
        {StepKind.CREATE: (DONE, None), StepKind.SALES: (StepState.FAILED, REFUSED)},
        Actor.RM,
    ),
    "failed_retry": (
        CaseStatus.FAILED,
        {StepKind.CREATE: (DONE, None), StepKind.SALES: (StepState.FAILED, DOWN)},
        Actor.ADMIN,
    ),
    "failed_choose_contact": (
        CaseStatus.FAILED,
        {StepKind.CREATE: (StepState.NEEDS_ATTENTION, TWIN)},
        Actor.RM,
    ),
    "failed_settle_create": (
        CaseStatus.FAILED,
        {StepKind.CREATE: (StepState.NEEDS_ATTENTION, UNANSWERED)},
        Actor.ADMIN,
    ),
    "in_altafid": (
        CaseStatus.IN_ALTAFID,
        dict.fromkeys((StepKind.CREATE, StepKind.SALES, StepKind.COMPLIANCE), (DONE, None)),
        Actor.RM,
    ),
    "activated": (CaseStatus.ACTIVATED, dict.fromkeys(StepKind, (DONE, None)), Actor.NOBODY),
    "amending": (CaseStatus.AMENDING, dict.fromkeys(StepKind, (DONE, None)), Actor.RM),
    "cancelled": (
        CaseStatus.CANCELLED,
        {StepKind.CREATE: (DONE, None), StepKind.SALES: (StepState.CANCELLED, None)},
        Actor.NOBODY,
    ),
}
PEOPLE = {
    "owner": (Role.RELATIONSHIP_MANAGER, Actor.RM),
    "officer": (Role.COMPLIANCE_OFFICER, Actor.OFFICER),
    "admin": (Role.ADMIN, Actor.ADMIN),
}
MARK = re.compile(r'data-reading="([a-z_]+:[a-z]+)"')


@pytest.fixture
def world(sandbox, settings):
    tenant = TenantFactory(altafid_uuid=settings.ALTAFID_TENANT_UUID)
    people = {
        name: staff_create(role=role, tenants=[tenant]) for name, (role, _a) in PEOPLE.items()
    }
    return tenant, people


def _case(tenant, owner, state):
    status, steps, _actor = STATES[state]
    case = Case.objects.create(
        tenant=tenant,
        owner=owner,
        updated_by=owner,
        status=status,
        client_name="Juan Prueba",
        contact_uuid=f"C-{state}" if steps.get(StepKind.CREATE, (None,))[0] == DONE else "",
    )
    for kind, (step_state, error) in steps.items():
        step = Step.objects.create(
            case=case,
            kind=kind,
            position=list(StepKind).index(kind),
            state=step_state,
            payload={},
            last_error=error,
            tries=1,
            attempts=1,
        )
        if step_state == StepState.IN_REVIEW:
            Review.objects.create(
                tenant=tenant, case=case, step=step, body={}, picture={}, digest="d"
            )
    return case


def _pages(case, person):
    """Every page that shows this case to this person."""
    pages = [
        reverse("cases:list"),
        reverse("cases:overview", args=[case.pk]),
        reverse("cases:review", args=[case.pk]),
        reverse("submissions:status", args=[case.pk]),
    ]
    if person == "owner":
        pages.append(reverse("home:index"))
    review = Review.objects.filter(case=case).first()
    if review is not None and person != "owner":
        pages += [reverse("kyc:review", args=[review.pk]), reverse("kyc:queue")]
        if person == "officer":
            pages.append(reverse("home:index"))
    stopped = Step.objects.filter(case=case, state__in=("failed", "needs_attention")).first()
    if stopped is not None and person == "admin":
        pages += [
            reverse("operations:failure", args=[stopped.pk]),
            reverse("operations:failures"),
        ]
    return pages


@pytest.mark.parametrize("person", sorted(PEOPLE))
@pytest.mark.parametrize("state", sorted(STATES))
def test_it_tells_the_same_truth_about_a_case_on_every_page(client, world, state, person):
    tenant, people = world
    case = _case(tenant, people["owner"], state)
    status, _steps, actor = STATES[state]
    verified_login(client, people[person])

    seen = {}
    offered = set()
    for url in _pages(case, person):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        marks = set(MARK.findall(html))
        if url == reverse("home:index") and not marks:
            continue  # a case that needs nobody and waits on nobody is not on the home page
        seen[url] = marks
        offered |= set(re.findall(r'href="([^"]+)" data-act="', html))

    assert seen, "no page marks the case"
    assert {mark for marks in seen.values() for mark in marks} == {f"{status}:{actor}"}, seen
    acting = PEOPLE[person][1] == actor
    assert bool(offered) == (acting and actor in (Actor.RM, Actor.OFFICER, Actor.ADMIN)), offered
    for href in offered:
        answer = client.get(href.split("#")[0])
        assert answer.status_code in (200, 302), href
        if answer.status_code == 302:
            assert client.get(answer.url).status_code == 200, href
