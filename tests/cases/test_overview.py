"""A case's overview: discarding, reassigning, duplicates in the tenant, conflicting saves."""

import json

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.audit.models import Event, EventKind
from onboarding.cases.demo import CLIENT, SALES
from onboarding.cases.models import Case, CaseStatus, Section, SectionRevision
from onboarding.cases.services import (
    CaseVersionConflict,
    case_conflict,
    case_conflict_apply,
    case_create,
    case_reassign,
    case_section_save,
    cases_for_user,
)
from tests.factories import TenantFactory, staff_create
from tests.submissions.conftest import (  # noqa: F401 - fixtures shared with the submissions tests
    ready_case,
    rm,
    submit,
    tenant,
)

pytestmark = pytest.mark.django_db
PERSONAL = ("Juan", "García", "López", "12345678", "juan@example.com", "961234567")


def _save(case, section, raw, user, *, version=None):
    """Saves as the section page would, from a copy loaded at `version` (default: the latest)."""
    case = Case.objects.get(pk=case.pk)
    version = case.version if version is None else version
    return case_section_save(case=case, section=section, raw=raw, version=version, user=user).case


def _snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return (
        case.status,
        case.owner_id,
        case.version,
        case.drafts,
        case.client_name,
        case.client_email,
        case.identity_hash,
        SectionRevision.objects.filter(case=case).count(),
        Event.objects.filter(case=case).count(),
    )


@pytest.fixture
def draft(tenant, rm):  # noqa: F811
    """A never-submitted case with the client and sales sections saved, and a refused save."""
    case = case_create(tenant=tenant, owner=rm)
    stale = case.version
    case = _save(case, Section.CLIENT, CLIENT, rm)
    case = _save(case, Section.SALES, SALES, rm)
    with pytest.raises(CaseVersionConflict):
        _save(case, Section.CLIENT, CLIENT | {"first_name": ["Juana"]}, rm, version=stale)
    assert SectionRevision.objects.filter(case=case, applied=False).exists()
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def admin(tenant):  # noqa: F811
    return staff_create(role=Role.ADMIN, tenants=[tenant], email="ana@example.com")


# Discarding


def test_it_discards_a_never_submitted_draft_and_erases_what_was_typed(client, draft, rm):  # noqa: F811
    client.force_login(rm)

    response = client.post(reverse("cases:discard", args=[draft.pk]), {"confirm": "yes"})
    listing = client.get(reverse("cases:list")).content.decode()

    assert response.status_code == 302
    assert response.url == reverse("cases:list")
    assert "Juan García" not in listing
    assert not cases_for_user(user=rm).filter(pk=draft.pk).exists()
    # Its page, reached again with Back, leads to the list (`test_discarded.py`).
    assert client.get(reverse("cases:overview", args=[draft.pk])).url == reverse("cases:list")
    discarded = Case.objects.get(pk=draft.pk)
    assert discarded.status == CaseStatus.DISCARDED
    assert discarded.drafts == {}
    assert (discarded.client_name, discarded.client_email, discarded.identity_hash) == ("", "", "")
    assert not SectionRevision.objects.filter(case=draft).exists()
    event = Event.objects.get(case=draft, kind=EventKind.CASE_DISCARDED)
    assert event.actor == rm
    dumped = json.dumps(event.data, ensure_ascii=False)
    for value in PERSONAL:
        assert value not in dumped, value


def test_it_discards_nothing_without_the_confirmation(client, draft, rm):  # noqa: F811
    client.force_login(rm)
    before = _snapshot(draft)

    response = client.post(reverse("cases:discard", args=[draft.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("cases:overview", args=[draft.pk])
    assert "Tick the box to confirm that this draft is discarded." in response.content.decode()
    assert _snapshot(draft) == before
    assert cases_for_user(user=rm).filter(pk=draft.pk).exists()


def test_it_refuses_to_discard_a_submitted_case(client, ready_case, rm):  # noqa: F811
    submit(ready_case, rm)
    client.force_login(rm)
    before = _snapshot(ready_case)

    response = client.post(
        reverse("cases:discard", args=[ready_case.pk]), {"confirm": "yes"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("cases:overview", args=[ready_case.pk])
    assert "Only a draft that was never submitted can be discarded." in response.content.decode()
    assert _snapshot(ready_case) == before
    assert not Event.objects.filter(case=ready_case, kind=EventKind.CASE_DISCARDED).exists()
    assert "Discard this draft" not in response.content.decode()


# Reassigning


def test_it_lets_an_admin_reassign_a_case_to_another_rm(client, draft, admin, rm, rm2):  # noqa: F811
    client.force_login(admin)

    response = client.post(
        reverse("cases:reassign", args=[draft.pk]), {"owner": rm2.pk}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("cases:overview", args=[draft.pk])
    html = response.content.decode()
    assert f"The onboarding now belongs to {rm2}." in html
    assert "Reassigned" in html
    assert Case.objects.get(pk=draft.pk).owner == rm2
    event = Event.objects.get(case=draft, kind=EventKind.CASE_REASSIGNED)
    assert event.actor == admin
    assert event.data == {"from": rm.pk, "to": rm2.pk}


@pytest.mark.parametrize("who", ["officer", "rm_elsewhere", "nobody"])
def test_it_refuses_to_give_a_case_to_someone_who_is_not_an_rm_of_the_tenant(
    client,
    draft,
    admin,
    tenant,  # noqa: F811
    who,
):
    people = {
        "officer": lambda: staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant]).pk,
        "rm_elsewhere": lambda: (
            staff_create(
                role=Role.RELATIONSHIP_MANAGER, tenants=[TenantFactory(name="Elsewhere")]
            ).pk
        ),
        "nobody": lambda: 999_999,
    }
    owner = people[who]()
    client.force_login(admin)
    before = _snapshot(draft)

    response = client.post(
        reverse("cases:reassign", args=[draft.pk]), {"owner": owner}, follow=True
    )

    assert "Choose an active relationship manager of this tenant." in response.content.decode()
    assert _snapshot(draft) == before


def test_it_hands_the_case_over_to_the_new_owner_only(client, draft, admin, rm, rm2):  # noqa: F811
    case_reassign(case=draft, user=admin, owner=rm2)

    client.force_login(rm)
    assert client.get(reverse("cases:overview", args=[draft.pk])).status_code == 404
    assert client.get(reverse("cases:section", args=[draft.pk, "client"])).status_code == 404
    client.force_login(rm2)
    draft.refresh_from_db()
    response = client.post(
        reverse("cases:section", args=[draft.pk, "client"]),
        {**CLIENT, "first_name": ["Juan Pablo"], "version": draft.version},
    )

    assert response.status_code == 302
    saved = Case.objects.get(pk=draft.pk)
    assert saved.draft(Section.CLIENT)["first_name"] == ["Juan Pablo"]
    assert saved.updated_by == rm2
    assert Event.objects.filter(case=draft, kind=EventKind.SECTION_SAVED).first().actor == rm2


# Duplicates within the tenant


def _client_saved(tenant, owner, identity, email, first_name="Juan"):  # noqa: F811
    case = case_create(tenant=tenant, owner=owner)
    return _save(
        case,
        Section.CLIENT,
        CLIENT
        | {"identity_id": [identity], "preferred_email": [email], "first_name": [first_name]},
        owner,
    )


def test_it_warns_of_another_case_of_the_tenant_with_the_same_rut_naming_only_its_owner(
    client,
    tenant,  # noqa: F811
    rm,  # noqa: F811
    rm2,
):
    first = _client_saved(tenant, rm, "12.345.678-5", "primero@example.com", "Primerina")
    second = _client_saved(tenant, rm2, "12345678-5", "segundo@example.com")
    client.force_login(rm2)

    section = client.get(reverse("cases:section", args=[second.pk, "client"])).content.decode()
    review = client.get(reverse("cases:review", args=[second.pk])).content.decode()

    for html in (section, review):
        assert "Another onboarding of this tenant has the same identity number or e-mail" in html
        assert f"Another onboarding exists, owned by {rm}" in html
        assert "Primerina" not in html
        assert reverse("cases:overview", args=[first.pk]) not in html
        assert "primero@example.com" not in html


def test_it_links_the_other_case_for_someone_who_may_open_it(client, tenant, rm, rm2):  # noqa: F811
    first = _client_saved(tenant, rm, "12.345.678-5", "primero@example.com")
    second = _client_saved(tenant, rm2, "12345678-5", "segundo@example.com")
    officer = staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant])
    client.force_login(officer)

    review = client.get(reverse("cases:review", args=[second.pk])).content.decode()

    assert f'href="{reverse("cases:overview", args=[first.pk])}"' in review


def test_it_does_not_flag_a_case_of_another_tenant_with_the_same_rut(client, tenant, rm):  # noqa: F811
    elsewhere = TenantFactory(name="Elsewhere")
    other_rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[elsewhere])
    other = _client_saved(elsewhere, other_rm, "12.345.678-5", "primero@example.com")
    mine = _client_saved(tenant, rm, "12345678-5", "segundo@example.com")
    assert other.identity_hash == mine.identity_hash
    client.force_login(rm)

    section = client.get(reverse("cases:section", args=[mine.pk, "client"])).content.decode()
    review = client.get(reverse("cases:review", args=[mine.pk])).content.decode()

    for html in (section, review):
        assert "Another onboarding of this tenant" not in html
        assert reverse("cases:overview", args=[other.pk]) not in html


# Conflicting saves


def test_it_saves_a_stale_copy_of_a_section_nobody_else_changed(tenant, rm):  # noqa: F811
    case = case_create(tenant=tenant, owner=rm)
    case = _save(case, Section.CLIENT, CLIENT, rm)
    case = _save(case, Section.SALES, SALES, rm)
    loaded_at = case.version
    _save(case, Section.CLIENT, CLIENT | {"phone_number": ["987654321"]}, rm)

    saved = _save(
        case, Section.SALES, SALES | {"annual_income": ["95000000"]}, rm, version=loaded_at
    )

    assert saved.version == loaded_at + 2
    assert saved.draft(Section.CLIENT)["phone_number"] == ["987654321"]
    assert saved.draft(Section.SALES)["annual_income"] == ["95000000"]
    assert not SectionRevision.objects.filter(case=case, applied=False).exists()


def test_it_saves_a_stale_copy_of_a_section_never_saved_before(tenant, rm):  # noqa: F811
    case = case_create(tenant=tenant, owner=rm)
    loaded_at = case.version
    _save(case, Section.CLIENT, CLIENT, rm)

    saved = _save(case, Section.SALES, SALES, rm, version=loaded_at)

    assert saved.draft(Section.CLIENT)["first_name"] == ["Juan"]
    assert saved.draft(Section.SALES)["annual_income"] == ["90000000"]


@pytest.fixture
def refused(tenant, rm, rm2, admin):  # noqa: F811
    """rm's copy of the client section goes stale while rm2 (owner meanwhile) changes the phone;
    then rm, owner again, saves the copy with another first name."""
    case = case_create(tenant=tenant, owner=rm)
    case = _save(case, Section.CLIENT, CLIENT, rm)
    loaded_at = case.version
    case_reassign(case=case, user=admin, owner=rm2)
    _save(case, Section.CLIENT, CLIENT | {"phone_number": ["987654321"]}, rm2)
    case_reassign(case=case, user=admin, owner=rm)
    with pytest.raises(CaseVersionConflict) as caught:
        _save(case, Section.CLIENT, CLIENT | {"first_name": ["Juana"]}, rm, version=loaded_at)
    return Case.objects.get(pk=case.pk), loaded_at, caught.value


def test_it_refuses_a_stale_save_of_the_same_section_and_keeps_what_was_sent(refused, rm):  # noqa: F811
    case, loaded_at, error = refused

    revision = error.revision
    assert isinstance(revision, SectionRevision)
    assert revision.pk is not None
    assert not revision.applied
    assert (revision.section, revision.case_version, revision.saved_by) == (
        Section.CLIENT,
        loaded_at,
        rm,
    )
    assert revision.raw["first_name"] == ["Juana"]
    assert case.draft(Section.CLIENT)["first_name"] == ["Juan"]
    assert case.draft(Section.CLIENT)["phone_number"] == ["987654321"]


def test_it_names_what_the_other_person_changed(refused, rm, rm2):  # noqa: F811
    case, _loaded_at, error = refused

    conflict = case_conflict(
        case=case, section=Section.CLIENT, revision_id=error.revision.pk, user=rm
    )

    assert conflict.theirs == ["phone_number"]
    assert conflict.mine == ["first_name"]
    assert conflict.by == [rm2]
    assert (
        case_conflict(case=case, section=Section.CLIENT, revision_id=error.revision.pk, user=rm2)
        is None
    )


def test_it_applies_the_users_change_on_top_of_the_other_persons(refused, rm):  # noqa: F811
    case, _loaded_at, error = refused
    version = case.version

    result = case_conflict_apply(
        case=case, section=Section.CLIENT, revision_id=error.revision.pk, user=rm
    )

    draft = result.case.draft(Section.CLIENT)
    assert draft["first_name"] == ["Juana"]
    assert draft["phone_number"] == ["987654321"]
    assert result.case.version == version + 1
    assert result.case.client_name == "Juana García López"
    event = Event.objects.filter(case=case).first()
    assert (event.kind, event.actor) == (EventKind.CONFLICT_APPLIED, rm)
    assert event.data["fields"] == [{"name": "first_name"}]
