"""Screening hits on the officer's review: found when the review opens, explained, each
decided, the approval gate, decisions remembered, screening again on a change, and ongoing
monitoring when a list changes."""

import datetime
import json

import pytest
from django.urls import reverse

from onboarding.audit.models import Event, EventKind
from onboarding.cases.lifecycle import CaseStatus, Section
from onboarding.cases.models import Case
from onboarding.cases.services import case_create, case_section_save
from onboarding.documents.demo import case_fill
from onboarding.kyc.hits import HitRefused, hits_figures, hits_of_case
from onboarding.kyc.models import (
    HitDecision,
    Rescreening,
    Review,
    ReviewKind,
    ReviewState,
    ScreeningHit,
    ScreeningReason,
    ScreeningRun,
)
from onboarding.kyc.monitoring import rescreening_run, rescreening_start
from onboarding.kyc.services import (
    HitsNotDecided,
    review_approve,
    review_assign,
    review_hit_decide,
)
from onboarding.notices.models import Notice, NoticeKind
from onboarding.screening.loading import screening_list_load
from onboarding.screening.models import ListVersion
from tests.factories import TenantFactory
from tests.submissions.conftest import documents_verify, officer_of, steps_drive, submit

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
# The filled-in case's client (`cases.demo`): Juan García López, born 1980-05-20, Chilean.
LISTED_PEP = {
    "id": "pep-garcia",
    "schema": "Person",
    "properties": {
        "name": ["Juan García"],
        "birthDate": ["1980-05-20"],
        "nationality": ["cl"],
        "topics": ["role.pep"],
        "sourceUrl": ["https://example.org/peps/garcia"],
    },
    "datasets": ["peps"],
}
SOMEONE_ELSE = {
    "id": "sanction-ivanov",
    "schema": "Person",
    "properties": {
        "name": ["Иван Петрович Иванов"],
        "alias": ["Ivan Ivanov"],
        "birthDate": ["1961-02-03"],
        "nationality": ["ru"],
        "topics": ["sanction"],
    },
    "datasets": ["sanctions"],
}


def load(tmp_path, *entities, dataset="peps"):
    path = tmp_path / f"{dataset}-{len(list(tmp_path.iterdir()))}.ftm.json"
    path.write_text("\n".join(json.dumps(entity) for entity in entities) + "\n")
    return screening_list_load(path=path, dataset=dataset)


@pytest.fixture
def listed(tmp_path):
    load(tmp_path, LISTED_PEP, SOMEONE_ELSE)


@pytest.fixture
def held(ready_case, rm, sandbox, listed):
    submit(ready_case, rm)
    steps_drive(ready_case, approve=False)
    return Review.objects.get(case=ready_case, state=ReviewState.WAITING)


@pytest.fixture
def officer(ready_case):
    return officer_of(ready_case.tenant)


def rescreen(version):
    rescreening = Rescreening.objects.create(
        dataset=version.dataset, list_version=version.pk, total=Case.objects.count()
    )
    return rescreening_run(rescreening_id=rescreening.pk)


def _hit(case):
    return hits_of_case(case=case).get()


def _approve(review, officer):
    review_approve(review=review, user=officer, digest=review.digest, attested=True)


def test_it_screens_the_client_when_the_review_opens_and_explains_the_hit(client, held, officer):
    hit = _hit(held.case)
    client.force_login(officer)

    page = client.get(reverse("kyc:review", args=[held.pk])).content.decode()

    run = ScreeningRun.objects.get(case=held.case)
    assert run.reason == ScreeningReason.SUBMITTED
    assert hit.entity_id == "pep-garcia"
    assert hit.topic_codes == ["role.pep"]
    assert hit.explanation["names"][0]["client"] == "Juan García López"
    assert hit.explanation["names"][0]["listed"] == "Juan García"
    assert "Juan García" in page
    assert '<span class="flag" data-topic="role.pep">Politically exposed person</span>' in page
    assert "name 0.96 · birth date 0.05 · country 0.03" in page
    assert "https://example.org/peps/garcia" in page
    assert "Not decided yet." in page
    assert not hits_of_case(case=held.case).filter(entity_id="sanction-ivanov").exists()
    assert run.versions == {"peps": ListVersion.objects.get(is_current=True).pk}


def test_it_refuses_approval_while_a_hit_is_undecided_and_after_deciding_approves(
    client, held, officer
):
    documents_verify(held, officer)
    review_assign(review=held, user=officer)

    with pytest.raises(HitsNotDecided, match="1 not decided yet"):
        _approve(held, officer)
    client.force_login(officer)
    refused = client.post(
        reverse("kyc:decide", args=[held.pk]),
        {"decision": "approve", "digest": held.digest, "attest": "yes"},
    )
    review_hit_decide(
        review=held,
        hit=_hit(held.case),
        user=officer,
        decision=HitDecision.NOT_CLIENT,
        reason="Different RUT and profession",
    )
    _approve(held, officer)

    assert refused.status_code == 409
    assert "Decide every screening hit before approving" in refused.content.decode()
    assert Review.objects.get(pk=held.pk).state == ReviewState.APPROVED


def test_it_refuses_approval_when_a_hit_is_the_client(held, officer):
    documents_verify(held, officer)
    review_assign(review=held, user=officer)
    review_hit_decide(
        review=held, hit=_hit(held.case), user=officer, decision=HitDecision.CLIENT, reason=""
    )

    with pytest.raises(HitsNotDecided, match="decided as the client"):
        _approve(held, officer)


def test_it_records_a_decision_through_the_page_with_htmx_and_keeps_what_was_typed(
    client, held, officer
):
    hit = _hit(held.case)
    client.force_login(officer)
    url = reverse("kyc:hit", args=[held.pk, hit.pk])

    refused = client.post(url, {"decision": "not_client", "reason": ""}, **HTMX)
    recorded = client.post(url, {"decision": "possible", "reason": "Same name and year"}, **HTMX)
    plain = client.post(url, {"decision": "possible", "reason": "Same name and year"})

    assert refused.status_code == 409
    assert "Say why this is not the client." in refused.content.decode()
    assert 'value="not_client" id="decision-' in refused.content.decode()
    assert "<html" not in recorded.content.decode()
    assert "Possible match: escalated" in recorded.content.decode()
    assert '<dd id="rating" hx-swap-oob="true">' in recorded.content.decode()
    assert "A screening hit was decided a possible match" in recorded.content.decode()
    assert plain.status_code == 302
    assert plain.url.endswith(f"#hit-{hit.pk}")
    hit.refresh_from_db()
    assert (hit.decision, hit.reason, hit.decided_by) == ("possible", "Same name and year", officer)


def test_it_answers_404_for_another_tenants_review_and_405_for_get(client, held, officer):
    hit = _hit(held.case)
    stranger = officer_of(TenantFactory())
    client.force_login(stranger)

    other = client.post(reverse("kyc:hit", args=[held.pk, hit.pk]), {"decision": "possible"})
    client.force_login(officer)
    wrong = client.get(reverse("kyc:hit", args=[held.pk, hit.pk]))

    assert other.status_code == 404
    assert wrong.status_code == 405
    assert not ScreeningHit.objects.exclude(decision="").exists()


def test_it_refuses_a_decision_from_the_rm(held, rm):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        review_hit_decide(
            review=held, hit=_hit(held.case), user=rm, decision=HitDecision.POSSIBLE, reason=""
        )


def test_it_refuses_an_unknown_decision(held, officer):
    with pytest.raises(HitRefused, match="Choose a decision"):
        review_hit_decide(
            review=held, hit=_hit(held.case), user=officer, decision="maybe", reason=""
        )


def test_it_remembers_a_decision_until_the_listed_data_changes(tmp_path, held, officer):
    hit = _hit(held.case)
    review_hit_decide(
        review=held, hit=hit, user=officer, decision=HitDecision.NOT_CLIENT, reason="Other RUT"
    )

    rescreen(load(tmp_path, LISTED_PEP, SOMEONE_ELSE))
    unchanged = _hit(held.case)
    changed = {**LISTED_PEP, "properties": {**LISTED_PEP["properties"], "position": ["Senator"]}}
    rescreen(load(tmp_path, changed, SOMEONE_ELSE))
    again = _hit(held.case)

    assert unchanged.pk == hit.pk
    assert unchanged.decision == HitDecision.NOT_CLIENT
    assert again.pk != hit.pk
    assert again.decision == ""


def test_it_screens_again_when_the_clients_name_changes(
    held, rm, django_capture_on_commit_callbacks
):
    case = Case.objects.get(pk=held.case_id)
    raw = {**case.draft(Section.CLIENT), "maternal_last_name": ["Pérez"]}
    with django_capture_on_commit_callbacks(execute=True):
        case_section_save(case=case, section=Section.CLIENT, raw=raw, version=case.version, user=rm)

    runs = list(ScreeningRun.objects.filter(case=case).values_list("reason", flat=True))
    assert runs == [ScreeningReason.CHANGED, ScreeningReason.SUBMITTED]


def test_it_does_not_screen_again_when_nothing_screened_changed(
    held, rm, django_capture_on_commit_callbacks
):
    case = Case.objects.get(pk=held.case_id)
    raw = {**case.draft(Section.CLIENT), "gender": ["FEMALE"]}
    with django_capture_on_commit_callbacks(execute=True):
        case_section_save(case=case, section=Section.CLIENT, raw=raw, version=case.version, user=rm)

    assert ScreeningRun.objects.filter(case=case).count() == 1


@pytest.mark.usefixtures("notices_worker")
def test_it_opens_a_review_for_a_new_hit_on_a_client_already_in_altafid(
    tmp_path, ready_case, rm, sandbox, django_capture_on_commit_callbacks
):
    submit(ready_case, rm)
    steps_drive(ready_case)
    assert Case.objects.get(pk=ready_case.pk).status == CaseStatus.IN_ALTAFID
    officer = officer_of(ready_case.tenant)
    draft = case_create(tenant=ready_case.tenant, owner=rm)

    version = load(tmp_path, LISTED_PEP)
    with django_capture_on_commit_callbacks(execute=False) as started:
        rescreening = rescreening_start(dataset="peps", list_version=version.pk)
    with django_capture_on_commit_callbacks(execute=True):
        rescreening = rescreening_run(rescreening_id=rescreening.pk)

    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    assert len(started) == 1
    assert (rescreening.total, rescreening.done, rescreening.new_hits) == (1, 1, 1)
    assert rescreening.finished_at is not None
    assert review.kind == ReviewKind.SCREENING
    assert _hit(ready_case).decision == ""
    assert Notice.objects.filter(
        recipient=officer, case=ready_case, kind=NoticeKind.REVIEW_WAITING
    ).exists()
    assert not ScreeningRun.objects.filter(case=draft).exists()


def test_it_keeps_no_personal_data_in_the_audit_trail(held, officer):
    review_hit_decide(
        review=held,
        hit=_hit(held.case),
        user=officer,
        decision=HitDecision.NOT_CLIENT,
        reason="Juan García López has another RUT",
    )

    events = Event.objects.filter(
        case=held.case, kind__in=[EventKind.CASE_SCREENED, EventKind.SCREENING_HIT_DECIDED]
    )

    assert events.count() == 2
    assert "García" not in repr([event.data for event in events])


def test_it_fills_the_filled_in_case_for_the_screening_from_its_sections(tenant, rm):
    from onboarding.kyc.hits import case_person

    person = case_person(case=case_fill(case_create(tenant=tenant, owner=rm), rm))

    assert person.names == ["Juan García López"]
    assert str(person.birth_date) == "1980-05-20"
    assert person.countries == ["CHL"]


def test_it_closes_a_screening_review_once_every_hit_is_decided_and_sends_nothing(
    client, tmp_path, ready_case, rm, sandbox
):
    submit(ready_case, rm)
    steps_drive(ready_case)
    rescreen(load(tmp_path, LISTED_PEP))
    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    officer = officer_of(ready_case.tenant)
    client.force_login(officer)
    sent = sandbox.request_count()

    review_assign(review=review, user=officer)
    page = client.get(reverse("kyc:review", args=[review.pk])).content.decode()
    refused = client.post(
        reverse("kyc:decide", args=[review.pk]),
        {"decision": "approve", "digest": review.digest, "attest": "yes"},
    )
    review_hit_decide(
        review=review,
        hit=_hit(ready_case),
        user=officer,
        decision=HitDecision.CLIENT,
        reason="Same RUT in the source",
    )
    closed = client.post(
        reverse("kyc:decide", args=[review.pk]),
        {"decision": "approve", "digest": review.digest, "attest": "yes"},
    )

    assert "Close the review" in page
    assert "Return to the RM" not in page
    assert refused.status_code == 409
    assert closed.status_code == 302
    assert Review.objects.get(pk=review.pk).state == ReviewState.APPROVED
    assert sandbox.request_count() == sent
    closing = Event.objects.filter(case=ready_case, kind=EventKind.REVIEW_APPROVED).latest("id")
    assert closing.data["confirmed"] == 1


def test_it_starts_screening_every_client_again_when_a_list_switches(
    tmp_path, held, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as switched:
        version = load(tmp_path, LISTED_PEP)
    with django_capture_on_commit_callbacks(execute=False) as started:
        for callback in switched:
            callback()

    rescreening = Rescreening.objects.get()
    assert (rescreening.dataset, rescreening.list_version) == ("peps", version.pk)
    assert rescreening.total == 1
    assert len(started) == 1


def test_it_counts_hits_per_week_with_the_share_not_the_client_and_the_time_to_decide(
    client, held, officer
):
    hit = _hit(held.case)
    ScreeningHit.objects.filter(pk=hit.pk).update(
        found_at=hit.found_at - datetime.timedelta(hours=5)
    )
    review_hit_decide(
        review=held, hit=hit, user=officer, decision=HitDecision.NOT_CLIENT, reason="RUT"
    )
    client.force_login(officer)

    weeks = hits_figures(tenant=held.tenant)
    page = client.get(reverse("kyc:figures")).content.decode()

    (week,) = [week for week in weeks if week.found]
    assert week.found == 1
    assert week.not_client_share == 1.0
    assert 4.9 < week.median_hours_to_decide < 5.1
    assert len(weeks) == 8
    assert weeks[0].starts > weeks[-1].starts
    assert "Screening hits, last 8 weeks" in page
    assert "100%" in page


def test_it_shows_the_progress_of_screening_every_client_again_on_the_health_page(client, held):
    from onboarding.accounts.roles import Role
    from tests.factories import staff_create, verified_login

    admin = staff_create(role=Role.ADMIN, tenants=[held.tenant])
    version = ListVersion.objects.get(dataset="peps", is_current=True)
    rescreening = Rescreening.objects.create(
        dataset="peps", list_version=version.pk, total=40, done=15
    )
    verified_login(client, admin)

    under_way = client.get(reverse("health:status")).content.decode()
    rescreening_run(rescreening_id=rescreening.pk)
    finished = client.get(reverse("health:status")).content.decode()

    assert "peps: 15 of 40 clients screened, 0 with a new hit." in under_way
    assert "under way" in under_way
    assert "finished" in finished
    assert "2 listed people new or changed, compared with every client's names." in finished
    assert "Screened again: 1;" in finished


def test_it_rates_the_review_again_on_each_decision(held, officer):
    from onboarding.kyc.rating import RiskLevel

    opened = Review.objects.get(pk=held.pk)
    review_hit_decide(
        review=held, hit=_hit(held.case), user=officer, decision=HitDecision.POSSIBLE, reason=""
    )
    escalated = Review.objects.get(pk=held.pk)
    review_hit_decide(
        review=held,
        hit=_hit(held.case),
        user=officer,
        decision=HitDecision.NOT_CLIENT,
        reason="Another RUT",
    )
    cleared = Review.objects.get(pk=held.pk)

    assert "screening_undecided" in opened.rating_reasons
    assert escalated.rating == RiskLevel.HIGH
    assert escalated.approvals_needed == 2
    assert "screening_possible" in escalated.rating_reasons
    assert not {"screening_possible", "screening_undecided"} & set(cleared.rating_reasons)
