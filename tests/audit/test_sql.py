import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onboarding.audit.models import Event, EventKind
from onboarding.audit.services import event_record
from onboarding.audit.sql import NewEvent, events_append
from onboarding.cases.models import Case
from tests.factories import TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_appends_several_events_in_one_statement_as_the_orm_stores_them():
    tenant, person = TenantFactory(), UserFactory()
    case = Case.objects.create(tenant=tenant, owner=person)
    at = timezone.make_aware(datetime.datetime(2026, 12, 7, 13, 0, 5))

    with CaptureQueriesContext(connection) as captured:
        events_append(
            [
                NewEvent(kind=EventKind.STEP_STARTED, tenant_id=tenant.pk, case_id=case.pk),
                NewEvent(
                    kind=EventKind.STAFF_INVITED,
                    tenant_id=tenant.pk,
                    staff_id=person.pk,
                    actor_id=person.pk,
                    data={"role": "rm", "nested": {"n": 1}},
                ),
            ],
            now=at,
        )

    assert len(captured) == 1
    stored = list(Event.objects.order_by("id"))
    assert [(e.kind, e.tenant_id, e.case_id, e.staff_id, e.actor_id) for e in stored] == [
        (EventKind.STEP_STARTED, tenant.pk, case.pk, None, None),
        (EventKind.STAFF_INVITED, tenant.pk, None, person.pk, person.pk),
    ]
    assert stored[0].data == {}
    assert stored[1].data == {"role": "rm", "nested": {"n": 1}}
    assert {e.created_at for e in stored} == {at}


def test_it_records_an_event_with_the_time_it_happened():
    tenant, person = TenantFactory(), UserFactory()
    before = timezone.now()

    event_record(kind=EventKind.STAFF_INVITED, tenant=tenant, actor=person, staff=person)

    event = Event.objects.get()
    assert (event.tenant_id, event.actor_id, event.staff_id) == (tenant.pk, person.pk, person.pk)
    assert before <= event.created_at <= timezone.now()


def test_it_appends_nothing_for_no_events():
    with CaptureQueriesContext(connection) as captured:
        events_append([])

    assert captured.captured_queries == []
