"""The admins' failure queue: classification, actions and their audit, the export."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.audit.models import Event, EventKind
from onboarding.cases.lifecycle import CaseStatus
from onboarding.cases.models import Case
from onboarding.operations.services import (
    ActionRefused,
    FailureKind,
    failure_decide,
    failure_kind,
    failure_resolve,
    failure_retry,
    failures_of_tenant,
)
from onboarding.operations.views import csv_cell
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.worker import step_run
from tests.factories import TenantFactory, staff_create
from tests.submissions.conftest import states, steps_drive, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tenant):
    return staff_create(role=Role.ADMIN, tenants=[tenant], email="ana@example.com")


def _sales_failed_for_good(case, rm, sandbox, settings):
    """Altafid is down until the tries run out: the sales update fails."""
    settings.SUBMISSION_MAX_ATTEMPTS = 1
    submit(case, rm)
    step_run(step_id=Step.objects.get(case=case, kind="create").pk)
    sandbox.fail_next("unavailable", method="PUT", path_prefix="/api/contacts")
    step_run(step_id=Step.objects.get(case=case, kind="sales").pk)
    step = Step.objects.get(case=case, kind="sales")
    assert step.state == StepState.FAILED
    return step


def _create_needs_a_decision(case, rm, sandbox):
    sandbox.fail_next("drop_after_write", method="POST", path_prefix="/api/contacts")
    submit(case, rm)
    create = Step.objects.get(case=case, kind="create")
    step_run(step_id=create.pk)
    twin = dict(sandbox.contacts(case.tenant.altafid_uuid)[0])
    sandbox.add_contact(case.tenant.altafid_uuid, {**twin, "contactUuid": "C-TWIN"})
    steps_drive(case, approve=False)
    create.refresh_from_db()
    assert create.state == StepState.NEEDS_ATTENTION
    return create


def test_it_classifies_each_kind_of_failure():
    def step(state, **error):
        return Step(state=state, last_error=error)

    assert failure_kind(step(StepState.NEEDS_ATTENTION, code="unanswered_create")) == "decision"
    assert failure_kind(step(StepState.FAILED, status=503, retryable=True)) == "retry"
    assert failure_kind(step(StepState.FAILED, status=None, ambiguous=True)) == "retry"
    assert failure_kind(step(StepState.FAILED, status=500)) == "retry"
    assert failure_kind(step(StepState.FAILED, status=429)) == "retry"
    assert failure_kind(step(StepState.FAILED, status=400, code="BE0201")) == "fix_data"
    assert failure_kind(step(StepState.FAILED, status=404, code="BE0404")) == "fix_data"


def test_it_lists_a_tenants_failures_filtered_like_they_are_classified(
    ready_case, rm, sandbox, settings
):
    failed = _sales_failed_for_good(ready_case, rm, sandbox, settings)

    assert list(failures_of_tenant(tenant=ready_case.tenant)) == [failed]
    assert list(failures_of_tenant(tenant=ready_case.tenant, kind=FailureKind.RETRY)) == [failed]
    assert list(failures_of_tenant(tenant=ready_case.tenant, kind=FailureKind.FIX_DATA)) == []
    assert list(failures_of_tenant(tenant=ready_case.tenant, step_kind="create")) == []
    assert list(failures_of_tenant(tenant=TenantFactory())) == []


def test_it_retries_a_failed_step_and_records_who(ready_case, rm, sandbox, settings, admin):
    failed = _sales_failed_for_good(ready_case, rm, sandbox, settings)

    failure_retry(step=failed, user=admin)

    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (StepState.QUEUED, 0)
    event = Event.objects.get(kind=EventKind.FAILURE_RETRIED)
    assert (event.actor, event.data["step"]) == (admin, "sales")
    steps_drive(ready_case)
    assert states(ready_case)["compliance"] == StepState.SUCCEEDED


def test_it_lets_only_the_tenants_admins_act(ready_case, rm, sandbox, settings):
    from django.core.exceptions import PermissionDenied

    failed = _sales_failed_for_good(ready_case, rm, sandbox, settings)
    elsewhere = staff_create(role=Role.ADMIN, tenants=[TenantFactory()])

    for person in (rm, elsewhere):
        with pytest.raises(PermissionDenied):
            failure_retry(step=failed, user=person)

    failed.refresh_from_db()
    assert failed.state == StepState.FAILED


def test_it_takes_a_resolved_failure_out_of_the_queue_until_it_fails_again(
    ready_case, rm, sandbox, settings, admin
):
    failed = _sales_failed_for_good(ready_case, rm, sandbox, settings)
    with pytest.raises(ActionRefused):
        failure_resolve(step=failed, user=admin, note=" ")

    failure_resolve(step=failed, user=admin, note="Fixed by Altafid support, ticket 42")

    assert list(failures_of_tenant(tenant=ready_case.tenant)) == []
    assert Event.objects.filter(kind=EventKind.FAILURE_RESOLVED, actor=admin).count() == 1
    failure_retry(step=failed, user=admin)
    sandbox.fail_next("unavailable", method="PUT", path_prefix="/api/contacts")
    step_run(step_id=failed.pk)
    assert list(failures_of_tenant(tenant=ready_case.tenant)) == [failed]


def test_it_settles_an_unanswered_create_with_the_contact_chosen(ready_case, rm, sandbox, admin):
    create = _create_needs_a_decision(ready_case, rm, sandbox)
    original = Case.objects.get(pk=ready_case.pk).contact_uuid
    chosen = "C-TWIN"

    failure_decide(step=create, user=admin, contact_uuid=chosen)
    steps_drive(ready_case)

    case = Case.objects.get(pk=ready_case.pk)
    assert case.contact_uuid == chosen
    assert original == ""
    assert states(ready_case)["compliance"] == StepState.SUCCEEDED
    assert len(sandbox.contacts(case.tenant.altafid_uuid)) == 2
    assert Event.objects.get(kind=EventKind.FAILURE_DECIDED).data == {
        "contact_uuid": chosen,
        "decision": "link",
    }


def test_it_creates_a_new_contact_when_none_of_them_is_this_client(ready_case, rm, sandbox, admin):
    create = _create_needs_a_decision(ready_case, rm, sandbox)

    failure_decide(step=create, user=admin, contact_uuid=None)
    steps_drive(ready_case)

    assert states(ready_case)["create"] == StepState.SUCCEEDED
    assert len(sandbox.contacts(ready_case.tenant.altafid_uuid)) == 3


def test_it_refuses_a_contact_that_was_not_found(ready_case, rm, sandbox, admin):
    create = _create_needs_a_decision(ready_case, rm, sandbox)

    with pytest.raises(ActionRefused):
        failure_decide(step=create, user=admin, contact_uuid="C-SOMEONE-ELSE")


def test_it_shows_the_queue_to_admins_only(client, ready_case, rm, sandbox, settings, admin):
    _sales_failed_for_good(ready_case, rm, sandbox, settings)

    client.force_login(rm)
    assert client.get(reverse("operations:failures")).status_code == 403
    client.force_login(admin)
    page = client.get(reverse("operations:failures")).content.decode()
    fragment = client.get(reverse("operations:failures"), {"kind": "retry"}, HTTP_HX_REQUEST="true")

    assert "Juan García López" in page
    assert "Failures per hour, last 7 days" in page
    assert "<rect" in page
    assert fragment.content.decode().strip().startswith('<div id="results">')


def test_it_hides_another_tenants_failure(client, ready_case, rm, sandbox, settings):
    failed = _sales_failed_for_good(ready_case, rm, sandbox, settings)
    client.force_login(staff_create(role=Role.ADMIN, tenants=[TenantFactory()]))

    assert client.get(reverse("operations:failure", args=[failed.pk])).status_code == 404
    response = client.post(reverse("operations:act", args=[failed.pk]), {"action": "retry"})
    assert response.status_code == 404
    failed.refresh_from_db()
    assert failed.state == StepState.FAILED


def test_it_acts_from_the_failure_page(client, ready_case, rm, sandbox, settings, admin):
    failed = _sales_failed_for_good(ready_case, rm, sandbox, settings)
    client.force_login(admin)

    page = client.get(reverse("operations:failure", args=[failed.pk])).content.decode()
    response = client.post(reverse("operations:act", args=[failed.pk]), {"action": "cancel"})

    assert "Transient or platform: retry" in page
    assert "Tries, with what was sent and received (masked)" in page
    assert response.status_code == 302
    assert Case.objects.get(pk=ready_case.pk).status == CaseStatus.CANCELLED


def test_it_tells_a_step_that_succeeded_after_a_retry_needs_nothing(
    client, ready_case, rm, sandbox, settings, admin
):
    failed = _sales_failed_for_good(ready_case, rm, sandbox, settings)
    failure_retry(step=failed, user=admin)
    step_run(step_id=failed.pk)
    client.force_login(admin)

    page = client.get(reverse("operations:failure", args=[failed.pk])).content.decode()

    assert "Succeeded: nothing to do" in page
    assert "Transient or platform: retry" not in page
    assert "Retry now" not in page


def test_it_warns_that_a_retry_would_fail_while_altafid_is_down(
    client, ready_case, rm, sandbox, settings, admin
):
    from onboarding.health.services import probe_record

    failed = _sales_failed_for_good(ready_case, rm, sandbox, settings)
    client.force_login(admin)
    up = client.get(reverse("operations:failure", args=[failed.pk])).content.decode()
    probe_record(tenant_uuid=ready_case.tenant.altafid_uuid, ok=False, latency_ms=None, error="x")

    down = client.get(reverse("operations:failure", args=[failed.pk])).content.decode()

    assert "Altafid did not answer the last check" not in up
    assert "Altafid did not answer the last check" in down
    assert 'aria-describedby="altafid-down"' in down


def test_it_retries_the_chosen_failures_in_bulk(client, ready_case, rm, sandbox, settings, admin):
    failed = _sales_failed_for_good(ready_case, rm, sandbox, settings)
    client.force_login(admin)

    response = client.post(
        reverse("operations:bulk"), {"action": "retry", "steps": [str(failed.pk)]}
    )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == StepState.QUEUED


@pytest.mark.parametrize(
    ("name", "method"),
    [("operations:failures", "post"), ("operations:bulk", "get"), ("operations:export", "post")],
)
def test_it_refuses_the_wrong_method(client, admin, name, method):
    client.force_login(admin)

    assert getattr(client, method)(reverse(name)).status_code == 405


def test_it_exports_the_queue_as_csv_with_formulas_escaped(
    client, ready_case, rm, sandbox, settings, admin
):
    _sales_failed_for_good(ready_case, rm, sandbox, settings)
    Case.objects.filter(pk=ready_case.pk).update(client_name="=HYPERLINK(1)")
    client.force_login(admin)

    response = client.get(reverse("operations:export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Client"
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][2] == "Sales update"
    assert csv_cell("+1") == "'+1"
    assert csv_cell("-1") == "'-1"
    assert csv_cell("@x") == "'@x"
    assert csv_cell("plain") == "plain"


def test_it_exports_times_in_the_tenants_time_zone(
    client, ready_case, rm, sandbox, settings, admin
):
    _sales_failed_for_good(ready_case, rm, sandbox, settings)
    at = datetime.datetime(2026, 1, 15, 15, 0, tzinfo=datetime.UTC)
    Step.objects.filter(case=ready_case, kind="sales").update(queued_at=at, finished_at=at)
    client.force_login(admin)

    response = client.get(reverse("operations:export"))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][9:11] == ["2026-01-15T12:00:00-03:00", "2026-01-15T12:00:00-03:00"]


def test_it_says_so_rather_than_draw_an_empty_chart(client, ready_case, admin):
    client.force_login(admin)

    page = client.get(reverse("operations:failures")).content.decode()

    assert "No try failed in the last 7 days." in page
    assert '<svg class="chart"' not in page


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x00"},
        {"q": "Juan\x00García", "sort": "client"},
        {"kind": "\x00", "step": "\u202e", "sort": "sideways"},
        {"q": "x" * 5000, "page": "99999999999999999999"},
    ],
)
def test_it_lists_failures_whatever_the_search_and_filters_hold(
    client, admin, ready_case, rm, sandbox, settings, params
):
    _sales_failed_for_good(ready_case, rm, sandbox, settings)
    client.force_login(admin)

    response = client.get(reverse("operations:failures"), params)

    assert response.status_code == 200


def test_it_exports_every_row_when_the_search_holds_a_nul(
    client, admin, ready_case, rm, sandbox, settings
):
    _sales_failed_for_good(ready_case, rm, sandbox, settings)
    client.force_login(admin)

    response = client.get(reverse("operations:export"), {"q": "\x00"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response.status_code == 200
    assert len(rows) == 2
    assert rows[1][0] == ready_case.client_name


def test_it_ignores_a_chosen_failure_that_is_not_an_id(client, admin):
    client.force_login(admin)

    response = client.post(
        reverse("operations:bulk"), {"action": "retry", "steps": ["²", "99999999999999999999"]}
    )

    assert response.status_code == 302


def test_it_keeps_a_resolve_note_without_its_control_characters(
    client, admin, ready_case, rm, sandbox, settings
):
    from onboarding.operations.models import Resolution

    step = _sales_failed_for_good(ready_case, rm, sandbox, settings)
    client.force_login(admin)

    response = client.post(
        reverse("operations:act", args=[step.pk]),
        {"action": "resolve", "note": "Fixed\x00 in Altafid\x1b by hand.\nTicket 12."},
    )

    assert response.status_code == 302
    assert Resolution.objects.get(step=step).note == "Fixed in Altafid by hand.\nTicket 12."


def test_it_refuses_a_resolve_note_that_is_too_long(
    client, admin, ready_case, rm, sandbox, settings
):
    from onboarding.operations.models import Resolution

    step = _sales_failed_for_good(ready_case, rm, sandbox, settings)
    client.force_login(admin)

    response = client.post(
        reverse("operations:act", args=[step.pk]), {"action": "resolve", "note": "x" * 5000}
    )

    assert response.status_code == 302
    assert not Resolution.objects.filter(step=step).exists()
