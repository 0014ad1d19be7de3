"""The case list's search term in the session: encrypted, cleaned, forgotten when it must be."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.roles import Role
from onboarding.cases.lifecycle import ErasureReason, Section
from onboarding.cases.searches import SESSION_KEY
from onboarding.cases.services import case_create, case_section_save
from onboarding.operations.erasure import case_erase
from tests.cases.conftest import CLIENT_SECTION
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    case_section_save(
        case=case, section=Section.CLIENT, raw=CLIENT_SECTION, version=case.version, user=rm
    )
    case.refresh_from_db()
    return case


def _search(client, term):
    response = client.post(reverse("cases:list"), {"q": term})
    assert response.status_code == 302
    return client.get(response.url)


def _stored_sessions():
    """Every session row as Django would read it back: what sits in `django_session`."""
    return [session.get_decoded() for session in Session.objects.all()]


def test_it_keeps_the_search_term_only_encrypted_in_the_session(client, rm, case):
    client.force_login(rm)

    page = _search(client, "García López")

    assert "Juan García López" in page.content.decode()
    stored = _stored_sessions()
    assert any(SESSION_KEY in data for data in stored)
    assert "García" not in repr(stored)


def test_it_lists_after_a_search_with_a_nul_in_it(client, rm, case):
    client.force_login(rm)

    page = _search(client, "García\x00")

    assert page.status_code == 200
    assert "Juan García López" in page.content.decode()
    assert client.get(reverse("cases:list") + "?search=1").status_code == 200


def test_it_forgets_a_term_an_earlier_version_kept_in_clear(client, rm, case):
    client.force_login(rm)
    session = client.session
    session[SESSION_KEY] = "García\x00"
    session.save()

    page = client.get(reverse("cases:list") + "?search=1")

    assert page.status_code == 200
    assert "No onboarding matches." not in page.content.decode()
    assert SESSION_KEY not in client.session


def test_it_does_not_search_one_tenant_with_a_term_kept_for_another(client, rm, case, tenant):
    elsewhere = TenantFactory(name="Elsewhere")
    rm.staff_profile.tenants.add(elsewhere)
    client.force_login(rm)
    _search(client, "nobody at all")
    session = client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "tenant": elsewhere.pk}
    session.save()

    page = client.get(reverse("cases:list") + "?search=1")

    assert "Juan García López" in page.content.decode()


def test_it_deletes_the_term_with_the_session_at_logout(client, rm, case):
    client.force_login(rm)
    _search(client, "García")

    client.post(reverse("accounts:logout"))

    assert not any(SESSION_KEY in data for data in _stored_sessions())


def test_it_forgets_the_tenants_search_terms_when_a_case_is_erased(rm, case, tenant):
    admin = staff_create(role=Role.ADMIN, tenants=[tenant])
    elsewhere = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[TenantFactory()])
    searching, other, idle = Client(), Client(), Client()
    searching.force_login(rm)
    _search(searching, "García")
    other.force_login(elsewhere)
    _search(other, "Somebody Else")
    idle.force_login(admin)
    idle.get(reverse("cases:list"))
    expired = Client()
    expired.force_login(rm)
    _search(expired, "García")
    Session.objects.filter(session_key=expired.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    case_erase(case=case, user=admin, reason=ErasureReason.CLIENT_REQUEST)

    assert SESSION_KEY not in searching.session
    assert SESSION_KEY in other.session
    assert not Session.objects.filter(session_key=expired.session.session_key).exists()
    assert Session.objects.filter(session_key=idle.session.session_key).exists()
    assert searching.get(reverse("cases:list")).status_code == 200
