"""Saves racing each other, a discard and a reassignment, on PostgreSQL with two connections:
the second writer waits for the case's lock, then checks the case as the first left it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases import services
from onboarding.cases.demo import CLIENT, SALES
from onboarding.cases.lifecycle import CaseStatus, Section
from onboarding.cases.models import Case, SectionRevision
from onboarding.cases.services import (
    SectionLocked,
    case_create,
    case_discard,
    case_reassign,
    case_section_save,
)
from tests.cases.races import race  # noqa: F401 - the fixture
from tests.factories import staff_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def case(tenant, rm):
    case = case_create(tenant=tenant, owner=rm)
    case_section_save(case=case, section=Section.CLIENT, raw=CLIENT, version=1, user=rm)
    return case


def _posting(user, case, section, data, version):
    """The section's page posting a save, in a request of its own (its own connection)."""

    def post():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        url = reverse("cases:section", args=[case.pk, section.value])
        response = client.post(url, {**data, "version": version})
        page = client.get(response.url) if response.status_code == 302 else None
        return response, page

    return post


def _saving(user, case_id, section, data, version):
    """A save as a page sends it, from the copy of the case that page was loaded with."""

    def save():
        return case_section_save(
            case=Case.objects.get(pk=case_id), section=section, raw=data, version=version, user=user
        )

    return save


def test_it_refuses_the_second_of_two_saves_from_one_version_and_keeps_what_it_typed(
    race,  # noqa: F811
    case,
    rm,
):
    """Two tabs of one RM save the same section from the same version: the first holds the
    case, the second waits for it, then is refused with the page showing what it typed."""
    version = case.version
    storing = race.pause(services, "_store")
    first = race.first(
        _posting(rm, case, Section.CLIENT, {**CLIENT, "first_name": "Ana"}, version),
        at=storing,
        name="first tab",
    )

    second = race.start(
        _posting(rm, case, Section.CLIENT, {**CLIENT, "first_name": "Beatriz"}, version),
        name="second tab",
    )
    assert race.waits(second), "the second save did not wait for the first"
    storing.release()

    saved, _page = first.ok()
    assert saved.status_code == 302
    assert "?conflict=" not in saved.url
    refused, page = second.ok()
    assert "?conflict=" in refused.url
    assert page.status_code == 409
    assert b"your save was not applied" in page.content
    assert b'value="Beatriz"' in page.content
    kept = SectionRevision.objects.get(case=case, applied=False)
    assert (kept.raw["first_name"], kept.case_version) == (["Beatriz"], version)
    latest = Case.objects.get(pk=case.pk)
    assert latest.draft(Section.CLIENT)["first_name"] == ["Ana"]
    assert latest.version == version + 1


def test_it_keeps_both_saves_of_two_sections_from_one_version(
    race,  # noqa: F811
    case,
    rm,
):
    """Saves of different sections from the same version do not conflict: the second waits,
    then goes on top of the first."""
    version = case.version
    storing = race.pause(services, "_store")
    first = race.first(
        _saving(rm, case.pk, Section.CLIENT, {**CLIENT, "first_name": ["Ana"]}, version),
        at=storing,
        name="client save",
    )

    second = race.start(_saving(rm, case.pk, Section.SALES, SALES, version), name="sales save")
    assert race.waits(second), "the second save did not wait for the first"
    storing.release()

    first.ok()
    second.ok()
    latest = Case.objects.get(pk=case.pk)
    assert latest.draft(Section.CLIENT)["first_name"] == ["Ana"]
    assert latest.draft(Section.SALES)["display_name"] == ["Juan García"]
    assert latest.version == version + 2


def test_it_keeps_nothing_of_a_stale_save_that_comes_in_while_the_draft_is_discarded(
    race,  # noqa: F811
    case,
    rm,
):
    """The RM discards the draft while another tab saves from an older version: the refused
    entries would be kept for that tab, after the discard erased what was typed."""
    stale = case.version
    case_section_save(
        case=case,
        section=Section.CLIENT,
        raw={**CLIENT, "first_name": ["Ana"]},
        version=stale,
        user=rm,
    )
    recording = race.pause(services, "event_record")
    discard = race.first(
        lambda: case_discard(case=Case.objects.get(pk=case.pk), user=rm),
        at=recording,
        name="discard",
    )

    save = race.start(
        _saving(rm, case.pk, Section.CLIENT, {**CLIENT, "first_name": ["Beatriz"]}, stale)
    )
    assert race.waits(save), "the save did not wait for the discard"
    recording.release()

    discard.ok()
    save.refused(SectionLocked)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DISCARDED
    assert not SectionRevision.objects.filter(case=case).exists()


def test_it_refuses_a_save_by_the_owner_an_admin_is_taking_the_case_from(
    race,  # noqa: F811
    case,
    rm,
    rm2,
    tenant,
):
    admin = staff_create(role=Role.ADMIN, tenants=[tenant])
    recording = race.pause(services, "event_record")
    reassign = race.first(
        lambda: case_reassign(case=Case.objects.get(pk=case.pk), user=admin, owner=rm2),
        at=recording,
        name="reassign",
    )

    save = race.start(
        _saving(rm, case.pk, Section.CLIENT, {**CLIENT, "first_name": ["Ana"]}, case.version)
    )
    assert race.waits(save), "the save did not wait for the reassignment"
    recording.release()

    reassign.ok()
    save.refused(PermissionDenied)
    latest = Case.objects.get(pk=case.pk)
    assert latest.owner == rm2
    assert latest.draft(Section.CLIENT)["first_name"] == ["Juan"]


def test_it_lets_a_save_that_got_there_first_finish_before_the_discard(
    race,  # noqa: F811
    case,
    rm,
):
    storing = race.pause(services, "_store")
    save = race.first(
        _saving(rm, case.pk, Section.SALES, SALES, case.version), at=storing, name="save"
    )

    discard = race.start(lambda: case_discard(case=Case.objects.get(pk=case.pk), user=rm))
    assert race.waits(discard), "the discard did not wait for the save"
    storing.release()

    save.ok()
    discard.ok()
    latest = Case.objects.get(pk=case.pk)
    assert (latest.status, latest.drafts) == (CaseStatus.DISCARDED, {})
    assert not SectionRevision.objects.filter(case=case).exists()
