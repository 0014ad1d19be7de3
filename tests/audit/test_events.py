"""The audit trail: append-only, in order, with who did what, and nothing about the client."""

import json

import pytest
from django.db import DatabaseError, InternalError, connection, transaction
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.audit.models import Event, EventKind
from onboarding.audit.services import VALUES_SHOWN
from onboarding.cases.demo import CLIENT
from onboarding.cases.models import Section
from onboarding.cases.services import case_create, case_section_save
from tests.factories import TenantFactory, staff_create
from tests.submissions.conftest import (  # noqa: F401 - fixtures shared with the submissions tests
    officer_of,
    ready_case,
    rm,
    steps_drive,
    submit,
    tenant,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PERSONAL = ("Juan", "García", "12345678", "juan@example.com", "961234567", "90000000")


def _run(case, rm):  # noqa: F811
    submit(case, rm)
    steps_drive(case)


def _trail(case):
    """(kind, actor id, section or step) of each event of the case, oldest first."""
    return [
        (event.kind, event.actor_id, event.data.get("section") or event.data.get("step"))
        for event in Event.objects.filter(case=case).order_by("id")
    ]


def test_it_refuses_to_update_or_delete_an_event_on_postgresql(tenant, rm):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    case = case_create(tenant=tenant, owner=rm)
    event = Event.objects.get(case=case)

    with (
        pytest.raises((InternalError, DatabaseError), match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_event SET kind = 'x'")
    with (
        pytest.raises((InternalError, DatabaseError), match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_event")

    unchanged = Event.objects.get(pk=event.pk)
    assert unchanged.kind == EventKind.CASE_CREATED
    assert unchanged.data == event.data
    assert Event.objects.filter(case=case).count() == 1


def test_it_records_a_full_run_in_order_with_who_did_each_thing(ready_case, rm):  # noqa: F811
    _run(ready_case, rm)
    officer = officer_of(ready_case.tenant)

    assert _trail(ready_case) == [
        (EventKind.CASE_CREATED, rm.pk, None),
        (EventKind.SECTION_SAVED, rm.pk, "client"),
        (EventKind.SECTION_SAVED, rm.pk, "sales"),
        (EventKind.SECTION_SAVED, rm.pk, "compliance"),
        (EventKind.SECTION_SAVED, rm.pk, "activation"),
        (EventKind.DOCUMENT_ATTACHED, rm.pk, None),
        (EventKind.CONSENT_RECORDED, rm.pk, None),
        (EventKind.CASE_SUBMITTED, rm.pk, None),
        (EventKind.STEP_QUEUED, rm.pk, "create"),
        (EventKind.STEP_STARTED, None, "create"),
        (EventKind.STEP_SUCCEEDED, None, "create"),
        (EventKind.STEP_QUEUED, None, "sales"),
        (EventKind.STEP_STARTED, None, "sales"),
        (EventKind.STEP_SUCCEEDED, None, "sales"),
        (EventKind.CASE_SCREENED, None, None),
        (EventKind.REVIEW_REQUESTED, None, None),
        # The identity document the filled-in case carries, verified before approving.
        (EventKind.REVIEW_DOCUMENT_CHECKED, officer.pk, None),
        # Taken by the officer, who approves what they took.
        (EventKind.REVIEW_ASSIGNED, officer.pk, None),
        (EventKind.REVIEW_APPROVED, officer.pk, None),
        (EventKind.STEP_QUEUED, officer.pk, "compliance"),
        (EventKind.STEP_STARTED, None, "compliance"),
        (EventKind.STEP_SUCCEEDED, None, "compliance"),
    ]
    # The timeline's own order (newest first) is exactly the reverse.
    newest_first = list(Event.objects.filter(case=ready_case).values_list("id", flat=True))
    assert newest_first == sorted(newest_first, reverse=True)


def test_it_names_the_changed_fields_with_values_only_for_classifications(ready_case, rm):  # noqa: F811
    saves = {
        event.data["section"]: event.data
        for event in Event.objects.filter(case=ready_case, kind=EventKind.SECTION_SAVED)
    }

    client = {change["name"]: change for change in saves["client"]["fields"]}
    assert set(client) == set(CLIENT)
    assert client["contact_type"] == {"name": "contact_type", "old": "", "new": "SUBSCRIBER"}
    assert client["first_name"] == {"name": "first_name"}
    assert client["identity_id"] == {"name": "identity_id"}
    sales = {change["name"]: change for change in saves["sales"]["fields"]}
    assert sales["addresses-0-street_name"] == {"name": "addresses-0-street_name"}
    assert "addresses-TOTAL_FORMS" not in sales
    compliance = {change["name"]: change for change in saves["compliance"]["fields"]}
    assert compliance["compliance_address"] == {
        "name": "compliance_address",
        "old": "",
        "new": "same",
    }
    assert saves["activation"]["fields"] == [{"name": "login_email", "old": "", "new": "same"}]
    for data in saves.values():
        assert data["amendment"] is False
        for change in data["fields"]:
            shown = change["name"].rpartition("-")[2] in VALUES_SHOWN
            assert ("old" in change) is shown, change
            assert ("new" in change) is shown, change


def test_it_never_writes_a_personal_value_into_an_event(ready_case, rm):  # noqa: F811
    _run(ready_case, rm)

    kinds = set(Event.objects.filter(case=ready_case).values_list("kind", flat=True))
    dumped = json.dumps(
        list(Event.objects.filter(case=ready_case).values_list("data", flat=True)),
        ensure_ascii=False,
    )
    assert EventKind.STEP_SUCCEEDED in kinds
    for value in PERSONAL:
        assert value not in dumped, value


def test_it_shows_the_timeline_on_the_overview(client, ready_case, rm):  # noqa: F811
    client.force_login(rm)

    html = client.get(reverse("cases:overview", args=[ready_case.pk])).content.decode()

    assert "Onboarding started" in html
    assert "Section saved: Client" in html
    assert "Section saved: Sales profile" in html
    assert "Contact type: — → Subscriber" in html
    assert "First name: changed" in html
    assert "Older events" not in html


@pytest.fixture
def long_history(tenant, rm):  # noqa: F811
    """A case with 31 events: its start and 30 saves of the client section."""
    case = case_create(tenant=tenant, owner=rm)
    for number in range(30):
        raw = CLIENT | {"first_name": [f"Nombre{number}"]}
        case = case_section_save(
            case=case, section=Section.CLIENT, raw=raw, version=case.version, user=rm
        ).case
    assert Event.objects.filter(case=case).count() == 31
    return case


def test_it_pages_the_history_and_serves_the_next_page_as_a_fragment(client, long_history, rm):  # noqa: F811
    client.force_login(rm)
    url = reverse("cases:history", args=[long_history.pk])

    overview = client.get(reverse("cases:overview", args=[long_history.pk])).content.decode()
    first = client.get(url).content.decode()
    fragment = client.get(url, {"page": 2}, **HTMX).content.decode()

    assert overview.count('class="timeline-item ') == 25
    assert f'hx-get="{url}?page=2"' in overview
    assert "<html" in first
    assert first.count('class="timeline-item ') == 25
    assert "Page 1 of 2" in first
    assert "Onboarding started" not in first
    assert "<html" not in fragment
    assert fragment.count('class="timeline-item ') == 6
    assert "Onboarding started" in fragment
    assert "Older events" not in fragment


def test_it_hides_the_history_from_another_tenants_admin(client, ready_case):  # noqa: F811
    stranger = staff_create(role=Role.ADMIN, tenants=[TenantFactory(name="Elsewhere")])
    client.force_login(stranger)

    overview = client.get(reverse("cases:overview", args=[ready_case.pk]))
    history = client.get(reverse("cases:history", args=[ready_case.pk]))

    assert overview.status_code == 404
    assert history.status_code == 404


def test_it_answers_405_to_a_post_to_the_history(client, ready_case, rm):  # noqa: F811
    client.force_login(rm)
    events = Event.objects.filter(case=ready_case).count()

    response = client.post(reverse("cases:history", args=[ready_case.pk]))

    assert response.status_code == 405
    assert Event.objects.filter(case=ready_case).count() == events
