"""What a section save refuses or keeps out of plain columns, and pages no cache may keep."""

import pytest
from django.urls import reverse

from onboarding.cases.demo import CLIENT
from onboarding.cases.lifecycle import Section
from onboarding.cases.models import Case
from onboarding.cases.services import case_create
from onboarding.submissions.masking import masked

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(tenant, rm):
    return case_create(tenant=tenant, owner=rm)


def _post(client, case, data, **extra):
    return client.post(
        reverse("cases:section", args=[case.pk, "client"]),
        {**data, "version": case.version, "action": "save"},
        **extra,
    )


def test_it_refuses_a_nul_byte_at_the_field_without_an_error_page(client, rm, case):
    client.force_login(rm)

    response = _post(client, case, {**CLIENT, "first_name": ["Ju\x00an"]}, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_first_name-errors"' in page
    case.refresh_from_db()
    # Kept as typed in the encrypted draft; the plain column has only the valid parts.
    assert case.client_name == "García López"
    assert case.drafts["client"]["first_name"] == ["Ju\x00an"]


def test_it_refuses_other_control_characters_at_the_field(client, rm, case):
    client.force_login(rm)

    response = _post(
        client, case, {**CLIENT, "paternal_last_name": ["Gar\x1bcía"]}, HTTP_HX_REQUEST="true"
    )

    assert "Remove the invisible control characters" in response.content.decode()


def test_it_fills_the_plain_columns_from_validated_values_only(client, rm, case):
    client.force_login(rm)

    _post(client, case, {**CLIENT, "preferred_email": ["not-an-address"]})

    case.refresh_from_db()
    assert case.client_name == "Juan García López"
    assert case.client_email == ""
    assert case.identity_hash


def test_it_refuses_a_field_sent_twice(client, rm, case):
    client.force_login(rm)
    data = {**CLIENT, "first_name": ["Juan", "Mallory"]}

    response = _post(client, case, data)

    assert response.status_code == 400
    case.refresh_from_db()
    assert case.drafts == {}


def test_it_refuses_a_draft_over_the_size_limit(client, rm, case, settings):
    settings.DRAFT_MAX_BYTES = 16 * 1024
    client.force_login(rm)

    response = _post(client, case, {**CLIENT, "middle_name": ["x" * 20_000]})

    assert response.status_code == 400
    assert "too large" in response.content.decode()
    case.refresh_from_db()
    assert case.drafts == {}


def test_it_refuses_an_upload_before_reading_it(client, rm, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(rm)

    response = client.post(
        reverse("cases:section", args=[case.pk, "client"]),
        {"first_name": "Juan", "file": SimpleUploadedFile("a.bin", b"x" * 1024)},
    )

    assert response.status_code == 400
    assert not Case.objects.get(pk=case.pk).drafts


def test_it_tells_caches_to_keep_no_page_of_a_signed_in_person(client, rm, case):
    client.force_login(rm)

    response = client.get(reverse("cases:section", args=[case.pk, "client"]))
    fragment = client.get(reverse("cases:list"), HTTP_HX_REQUEST="true")

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "no-store" in fragment["Cache-Control"]


def test_it_masks_the_pep_declarations_in_attempts():
    copy = masked(
        {"relatedToPEP": True, "directorOrTenPercentShareholder": False, "status": "ACTIVE"}
    )

    assert copy["relatedToPEP"] == "•••"
    assert copy["directorOrTenPercentShareholder"] == "•••"
    assert copy["status"] == "ACTIVE"


def _stored(case):
    from onboarding.audit.models import Event
    from onboarding.cases.models import SectionRevision

    case.refresh_from_db()
    return (
        case.version,
        case.drafts,
        SectionRevision.objects.filter(case=case).count(),
        Event.objects.filter(case=case).count(),
    )


def test_it_refuses_a_line_break_in_a_name_at_the_field(client, rm, case):
    client.force_login(rm)

    response = _post(
        client, case, {**CLIENT, "first_name": ["Juan\nBcc: x@example.com"]}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_first_name-errors"' in page
    assert "Keep this on one line" in page
    case.refresh_from_db()
    assert case.client_name == "García López"
    assert case.section_state(Section.CLIENT)["blocking"] >= 1


@pytest.mark.parametrize("version", [None, "", "-1", "0", "abc", "99999999999999999999"])
def test_it_refuses_a_save_that_names_no_version_and_keeps_what_was_typed(
    client, rm, case, version
):
    from onboarding.cases.services import case_section_save

    client.force_login(rm)
    case_section_save(case=case, section=Section.CLIENT, raw=CLIENT, version=case.version, user=rm)
    before = _stored(case)
    data = {**CLIENT, "first_name": ["Juanita"], "action": "save"}
    if version is not None:
        data["version"] = version

    response = client.post(reverse("cases:section", args=[case.pk, "client"]), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "did not say which version" in page
    assert 'value="Juanita"' in page
    assert _stored(case) == before


def test_it_answers_an_htmx_save_without_a_version_with_a_message(client, rm, case):
    client.force_login(rm)
    before = _stored(case)

    response = client.post(
        reverse("cases:section", args=[case.pk, "client"]),
        {**CLIENT, "action": "autosave"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 400
    assert "did not say which version" in response.content.decode()
    assert _stored(case) == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [('{"first_name": "Juan", "version": 1}', "application/json"), ("Juan", "text/plain")],
)
def test_it_refuses_a_body_that_is_not_a_form(client, rm, case, body, content_type):
    client.force_login(rm)
    before = _stored(case)

    response = client.post(
        reverse("cases:section", args=[case.pk, "client"]), body, content_type=content_type
    )

    assert response.status_code == 415
    assert "web form" in response.content.decode()
    assert _stored(case) == before


def test_it_keeps_a_form_body_that_is_not_utf8_without_an_error_page(client, rm, case):
    client.force_login(rm)
    body = b"first_name=Jos\xe9\xff&version=%d&action=save" % case.version

    response = client.post(
        reverse("cases:section", args=[case.pk, "client"]),
        body,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.drafts["client"]["first_name"] == ["Jos\xe9\xff"]


def test_it_ignores_a_row_to_remove_that_is_not_a_number(client, rm, case):
    from onboarding.cases.demo import SALES

    client.force_login(rm)

    response = client.post(
        reverse("cases:section", args=[case.pk, "sales"]),
        {**SALES, "version": case.version, "action": "remove:addresses:²"},
    )

    assert response.status_code == 302


@pytest.mark.parametrize("value", ["Ju\x00an", "x" * 5000])
def test_it_saves_a_code_field_whatever_was_typed_and_audits_it_cleaned(client, rm, case, value):
    from onboarding.audit.models import Event, EventKind
    from onboarding.cases.demo import ACTIVATION

    client.force_login(rm)

    response = client.post(
        reverse("cases:section", args=[case.pk, "activation"]),
        {**ACTIVATION, "login_email": [value], "version": case.version, "action": "save"},
    )

    assert response.status_code == 302
    saved = Event.objects.get(case=case, kind=EventKind.SECTION_SAVED)
    [change] = [c for c in saved.data["fields"] if c["name"] == "login_email"]
    assert "\x00" not in change["new"]
    assert len(change["new"]) <= 100
