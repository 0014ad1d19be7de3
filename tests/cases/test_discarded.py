"""A discarded draft's addresses, reached with Back or a bookmark, lead to the list with a
message saying it was discarded, for the people who could open it; to anyone else they stay
a 404, which tells nothing of it."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.demo import CLIENT
from onboarding.cases.models import Case, CaseStatus, Section
from onboarding.cases.services import case_create, case_discard, case_section_save
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db
DISCARDED = "This draft was discarded."


@pytest.fixture
def discarded(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    case = case_section_save(
        case=case, section=Section.CLIENT, raw=CLIENT, version=case.version, user=rm
    ).case
    case_discard(case=case, user=rm)
    return Case.objects.get(pk=case.pk)


def _pages(case):
    """Every address of a case that a GET opens."""
    pk = case.pk
    return [
        reverse("cases:overview", args=[pk]),
        reverse("cases:resume", args=[pk]),
        reverse("cases:history", args=[pk]),
        reverse("cases:review", args=[pk]),
        reverse("cases:section", args=[pk, "client"]),
        reverse("cases:section", args=[pk, "compliance"]),
        reverse("submissions:status", args=[pk]),
    ]


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("who", ["owner", "admin", "officer"])
def test_it_leads_those_who_could_open_a_discarded_draft_to_the_list(
    client, discarded, rm, tenant, who
):
    people = {
        "owner": rm,
        "admin": staff_create(role=Role.ADMIN, tenants=[tenant]),
        "officer": staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant]),
    }
    client.force_login(people[who])

    for url in _pages(discarded):
        response = client.get(url)

        assert (response.status_code, response.url) == (302, reverse("cases:list")), url
        assert _messages(response) == [DISCARDED]
    listed = client.get(reverse("cases:list"))
    assert DISCARDED in listed.content.decode()
    assert "Juan" not in listed.content.decode()


def test_it_sends_an_htmx_request_for_a_discarded_draft_to_the_whole_list(client, discarded, rm):
    client.force_login(rm)

    autosave = client.post(
        reverse("cases:section", args=[discarded.pk, "client"]),
        {**CLIENT, "version": discarded.version, "action": "autosave"},
        HTTP_HX_REQUEST="true",
    )

    assert autosave.status_code == 204
    assert autosave["HX-Redirect"] == reverse("cases:list")
    assert Case.objects.get(pk=discarded.pk).drafts == {}


def test_it_keeps_a_discarded_draft_a_404_for_anyone_who_could_not_open_it(
    client, discarded, tenant
):
    elsewhere = TenantFactory()
    strangers = [
        staff_create(role=Role.ADMIN, tenants=[elsewhere]),
        staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[elsewhere]),
        # A colleague of the owner never could open the owner's draft.
        staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant]),
    ]

    for stranger in strangers:
        client.force_login(stranger)
        for url in _pages(discarded):
            response = client.get(url)

            assert response.status_code == 404, url
            assert DISCARDED not in response.content.decode()


def test_it_answers_404_for_a_case_that_never_existed(client, rm):
    client.force_login(rm)

    assert client.get(reverse("cases:overview", args=[987654])).status_code == 404


def test_it_still_refuses_a_method_an_address_does_not_take(client, discarded, rm):
    client.force_login(rm)

    assert client.get(reverse("cases:discard", args=[discarded.pk])).status_code == 405
    assert client.post(reverse("cases:overview", args=[discarded.pk])).status_code == 405
    assert client.post(reverse("submissions:status", args=[discarded.pk])).status_code == 405


def test_it_changes_nothing_when_a_form_of_a_discarded_draft_is_sent(client, discarded, rm):
    client.force_login(rm)

    saved = client.post(
        reverse("cases:section", args=[discarded.pk, "client"]),
        {**CLIENT, "version": discarded.version, "action": "save"},
    )
    again = client.post(reverse("cases:discard", args=[discarded.pk]), {"confirm": "yes"})

    assert saved.url == again.url == reverse("cases:list")
    case = Case.objects.get(pk=discarded.pk)
    assert (case.status, case.drafts, case.client_name) == (CaseStatus.DISCARDED, {}, "")
