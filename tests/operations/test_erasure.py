"""Erasing a client's data: on request by an admin, after the retention period; key rotation."""

import datetime
import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.roles import Role
from onboarding.audit.models import Event, EventKind
from onboarding.cases.demo import SALES
from onboarding.cases.lifecycle import CaseStatus, ErasureReason, Section
from onboarding.cases.models import Case, SectionRevision
from onboarding.cases.services import SectionLocked, case_section_save
from onboarding.kyc.models import Review
from onboarding.operations.erasure import case_erase, cases_erase_expired
from onboarding.submissions.models import Step
from onboarding.submissions.services import case_activate
from tests.factories import TenantFactory, staff_create
from tests.submissions.conftest import steps_drive, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tenant):
    return staff_create(role=Role.ADMIN, tenants=[tenant], email="ana@example.com")


def _activated(case, rm):
    submit(case, rm)
    steps_drive(case)
    case_activate(case=case, user=rm)
    steps_drive(case)
    case.refresh_from_db()
    return case


def test_it_erases_the_clients_data_and_keeps_the_skeleton(ready_case, rm, sandbox, admin):
    case = _activated(ready_case, rm)
    contact = case.contact_uuid

    case_erase(case=case, user=admin, reason=ErasureReason.CLIENT_REQUEST)

    case.refresh_from_db()
    assert case.drafts == {}
    assert (case.client_name, case.client_email, case.identity_hash) == ("", "", "")
    assert case.erased_at is not None
    assert case.contact_uuid == contact
    assert case.status == CaseStatus.ACTIVATED
    assert not SectionRevision.objects.filter(case=case).exists()
    assert not Step.objects.filter(case=case, payload__isnull=False).exists()
    assert set(Step.objects.filter(case=case).values_list("state", flat=True)) == {"succeeded"}
    assert all(review.body == {} for review in Review.objects.filter(case=case))
    event = Event.objects.get(kind=EventKind.CASE_ERASED)
    assert (event.actor, event.data) == (admin, {"reason": "client_request"})
    assert Event.objects.filter(case=case).count() > 10
    with pytest.raises(SectionLocked):
        case_section_save(
            case=case, section=Section.SALES, raw=SALES, version=case.version, user=rm
        )


def test_it_lets_only_the_tenants_admins_erase(client, ready_case, rm, admin):
    elsewhere = staff_create(role=Role.ADMIN, tenants=[TenantFactory()])
    url = reverse("operations:erase", args=[ready_case.pk])
    data = {"reason": "client_request", "confirm": "yes"}

    for person, status in ((rm, 403), (elsewhere, 404)):
        client.force_login(person)
        assert client.post(url, data).status_code == status
    client.force_login(admin)
    assert client.post(url, {"reason": "client_request"}).status_code == 302
    assert Case.objects.get(pk=ready_case.pk).erased_at is None

    response = client.post(url, data)

    assert response.status_code == 302
    assert Case.objects.get(pk=ready_case.pk).erased_at is not None
    assert client.get(url).status_code == 405


def test_it_shows_the_erase_form_to_admins_only(client, ready_case, rm, admin):
    client.force_login(admin)
    assert (
        "Erase the client"
        in client.get(reverse("cases:overview", args=[ready_case.pk])).content.decode()
    )
    client.force_login(rm)
    assert (
        "Erase the client"
        not in client.get(reverse("cases:overview", args=[ready_case.pk])).content.decode()
    )


def test_it_erases_activated_cases_after_the_retention_period(ready_case, rm, sandbox, settings):
    settings.RETENTION_DAYS = 90
    case = _activated(ready_case, rm)

    assert cases_erase_expired() == 0
    later = timezone.now() + datetime.timedelta(days=91)
    assert cases_erase_expired(now=later) == 1

    case.refresh_from_db()
    assert case.erased_at is not None
    event = Event.objects.get(kind=EventKind.CASE_ERASED)
    assert (event.actor, event.data) == (None, {"reason": "retention"})
    assert cases_erase_expired(now=later) == 0


def test_it_re_encrypts_everything_under_the_newest_key(ready_case, settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]

    output = io.StringIO()
    call_command("rotate_keys", stdout=output)

    settings.FIELD_ENCRYPTION_KEYS = [new]
    case = Case.objects.get(pk=ready_case.pk)
    assert case.drafts["client"]["first_name"] == ["Juan"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT drafts FROM cases_case WHERE id = %s", [case.pk])
        (stored,) = cursor.fetchone()
    assert Fernet(new.encode()).decrypt(stored.encode())
    assert "cases.Case: 1 rows re-encrypted (drafts)" in output.getvalue()
