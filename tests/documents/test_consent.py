import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.roles import Role
from onboarding.cases.services import case_create
from onboarding.documents.demo import case_fill
from onboarding.documents.models import Consent, ConsentMethod, Document, DocumentKind
from onboarding.documents.rules import consent_in_force
from onboarding.documents.services import document_attach, document_remove
from tests.documents.conftest import HTMX, image_bytes
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db
# A day in the past wherever the page is read: the pages' time zone is not the tests' (UTC),
# so "today" here may be tomorrow there for a few hours each day.
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def _record(client, case, **fields):
    extra = fields.pop("extra", {})
    data = {"given_at": YESTERDAY.isoformat(), "method": "in_person", **fields}
    return client.post(reverse("case_documents:consent", args=[case.pk]), data, **extra)


def test_it_records_consent_given_in_person_with_the_tenants_notice_version(
    logged_in, case, tenant
):
    tenant.privacy_notice_version = "2.1"
    tenant.save()

    response = _record(logged_in, case, given_at="2026-11-30")

    consent = Consent.objects.get(case=case)
    assert response.status_code == 302
    assert consent.method == ConsentMethod.IN_PERSON
    assert consent.notice_version == "2.1"
    assert consent.given_at == datetime.date(2026, 11, 30)
    assert consent_in_force(case=case) == consent


def test_it_records_consent_on_a_signed_form_attached(logged_in, case):
    logged_in.post(
        reverse("case_documents:upload", args=[case.pk]),
        {"kind": "consent", "file": SimpleUploadedFile("f.png", image_bytes("PNG"), "image/png")},
    )
    form = Document.objects.get(case=case, kind=DocumentKind.CONSENT)

    response = _record(logged_in, case, method="signed_form", document=str(form.uid))

    assert response.status_code == 302
    assert Consent.objects.get(case=case).document == form


def test_it_refuses_a_signed_form_consent_without_the_form(logged_in, case):
    response = _record(logged_in, case, method="signed_form")

    assert response.status_code == 422
    assert "Attach the signed consent form first, then choose it." in response.content.decode()
    assert not Consent.objects.exists()


def test_it_refuses_a_consent_dated_in_the_future_or_without_a_method(logged_in, case):
    # Two days on: tomorrow in every time zone the page may be shown in.
    tomorrow = timezone.localdate() + datetime.timedelta(days=2)

    future = _record(logged_in, case, given_at=tomorrow.isoformat())
    without = _record(logged_in, case, method="")
    fragment = _record(logged_in, case, method="", extra=HTMX)

    assert future.status_code == without.status_code == 422
    assert "<html" not in fragment.content.decode()
    assert "Say how the client consented." in fragment.content.decode()
    assert not Consent.objects.exists()


def test_it_no_longer_counts_a_consent_whose_signed_form_was_removed(logged_in, case, rm):
    form = document_attach(case=case, user=rm, kind=DocumentKind.CONSENT, data=image_bytes())
    _record(logged_in, case, method="signed_form", document=str(form.uid))
    assert consent_in_force(case=case) is not None

    document_remove(case=case, user=rm, document=form)

    assert consent_in_force(case=case) is None


def test_it_refuses_an_officers_consent(client, case, officer):
    client.force_login(officer)

    response = _record(client, case)

    assert response.status_code == 403
    assert not Consent.objects.exists()


def test_it_shows_the_consent_on_the_documents_page_and_the_overview(logged_in, case):
    _record(logged_in, case, given_at="2026-11-30")

    page = logged_in.get(reverse("case_documents:page", args=[case.pk])).content.decode()
    overview = logged_in.get(reverse("cases:overview", args=[case.pk])).content.decode()

    assert "Given in person, recorded by the relationship manager" in page
    assert "Privacy notice 1.0, given on" in overview


def test_it_asks_for_consent_again_when_the_tenant_changes_its_privacy_notice(
    logged_in, case, tenant
):
    _record(logged_in, case, given_at="2026-11-30")
    assert consent_in_force(case=case) is not None

    tenant.privacy_notice_version = "2.0"
    tenant.save()
    page = logged_in.get(reverse("case_documents:page", args=[case.pk])).content.decode()

    case.refresh_from_db()
    assert consent_in_force(case=case) is None
    assert "The privacy notice is now at version 2.0" in page
    assert "required, missing" in page
    assert '<details class="consent-again" open>' in page

    _record(logged_in, case, given_at=YESTERDAY.isoformat())

    case.refresh_from_db()
    assert consent_in_force(case=case).notice_version == "2.0"


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_it_dates_the_demos_consent_on_the_tenants_today(zone):
    # Fourteen hours ahead of UTC and twelve behind: whatever the hour, one of the two is on
    # another day than UTC's, the date the demo's consent took before.
    tenant = TenantFactory(time_zone=zone)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant])

    case = case_fill(case_create(tenant=tenant, owner=rm), rm)

    assert Consent.objects.get(case=case).given_at == timezone.localdate(timezone=tenant.zone)
