import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.services import case_create
from onboarding.documents.models import Document, DocumentKind
from onboarding.documents.services import document_attach
from tests.documents.conftest import HTMX, image_bytes
from tests.factories import TenantFactory, staff_create

pytestmark = pytest.mark.django_db


def _upload(client, case, kind="identity", data=None, name="front.jpg", **fields):
    data = image_bytes() if data is None else data
    extra = fields.pop("extra", {})
    return client.post(
        reverse("case_documents:upload", args=[case.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, data, "image/jpeg"), **fields},
        **extra,
    )


def _attached(case, rm, kind=DocumentKind.IDENTITY):
    return document_attach(case=case, user=rm, kind=kind, data=image_bytes(), title="Cédula")


def test_it_shows_each_kind_with_the_upload_field_for_the_camera(logged_in, case):
    response = logged_in.get(reverse("case_documents:page", args=[case.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for kind in ("identity", "address", "wealth", "other", "consent"):
        assert f'id="kind-{kind}"' in html
    assert (
        'accept="image/jpeg,image/png,image/heic,image/heif,application/pdf" '
        'capture="environment" multiple'
    ) in html
    assert 'enctype="multipart/form-data"' in html


def test_it_attaches_a_jpeg_and_a_png_and_shows_their_previews(logged_in, case):
    first = _upload(logged_in, case)
    second = _upload(logged_in, case, data=image_bytes("PNG"), name="back.png")

    page = logged_in.get(reverse("case_documents:page", args=[case.pk]))
    documents = list(Document.objects.filter(case=case))
    assert first.status_code == second.status_code == 302
    assert [d.received_type for d in documents] == ["jpeg", "png"]
    for document in documents:
        assert str(document.uid) in page.content.decode()
        thumbnail_url = reverse("documents:thumbnail", args=[document.uid, 1])
        assert thumbnail_url in page.content.decode()
        preview = logged_in.get(thumbnail_url)
        assert preview.status_code == 200
        assert preview["Content-Type"].startswith("image/")
        assert "no-store" in preview["Cache-Control"]


def test_it_attaches_several_files_of_a_kind_at_once(logged_in, case):
    response = logged_in.post(
        reverse("case_documents:upload", args=[case.pk]),
        {
            "kind": "identity",
            "file": [
                SimpleUploadedFile("a.jpg", image_bytes(), "image/jpeg"),
                SimpleUploadedFile("b.jpg", image_bytes(), "image/jpeg"),
            ],
        },
    )

    assert response.status_code == 302
    assert Document.objects.filter(case=case, kind="identity").count() == 2


def test_it_refuses_a_file_beside_the_field_and_keeps_what_is_attached(logged_in, case, rm):
    kept = _attached(case, rm)

    response = _upload(logged_in, case, data=b"MZ\x90\x00 not an image", name="cedula.jpg")

    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="error-identity"' in html
    assert "Only JPEG, PNG, HEIC and PDF files can be attached." in html
    assert list(Document.objects.filter(case=case, removed_at__isnull=True)) == [kept]


def test_it_refuses_with_htmx_in_the_fragment(logged_in, case):
    response = _upload(logged_in, case, data=b"not an image", extra=HTMX)

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="documents-area"' in html
    assert "Only JPEG, PNG, HEIC and PDF files can be attached." in html
    assert not Document.objects.filter(case=case).exists()


def test_it_needs_a_title_for_other(logged_in, case):
    response = _upload(logged_in, case, kind="other")

    assert response.status_code == 422
    assert "Give the document a title." in response.content.decode()
    assert not Document.objects.exists()


def test_it_swaps_the_fragment_with_htmx(logged_in, case):
    page = logged_in.get(reverse("case_documents:page", args=[case.pk]), **HTMX)
    attached = _upload(logged_in, case, extra=HTMX)

    for response in (page, attached):
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert html.lstrip().startswith('<div id="documents-area">')
    assert Document.objects.filter(case=case).count() == 1


def test_it_removes_and_undo_brings_back(logged_in, case, rm):
    document = _attached(case, rm)

    removed = logged_in.post(reverse("case_documents:remove", args=[case.pk, document.uid]))
    page = logged_in.get(reverse("case_documents:page", args=[case.pk]))
    document.refresh_from_db()
    assert removed.status_code == 302
    assert document.removed_at is not None
    assert reverse("case_documents:restore", args=[case.pk, document.uid]) in page.content.decode()

    restored = logged_in.post(reverse("case_documents:restore", args=[case.pk, document.uid]))
    document.refresh_from_db()
    assert restored.status_code == 302
    assert document.removed_at is None


def test_it_offers_undo_only_until_the_next_attach(logged_in, case, rm):
    document = _attached(case, rm)
    logged_in.post(reverse("case_documents:remove", args=[case.pk, document.uid]))
    _upload(logged_in, case)

    page = logged_in.get(reverse("case_documents:page", args=[case.pk]))

    assert (
        reverse("case_documents:restore", args=[case.pk, document.uid]) not in page.content.decode()
    )


def test_it_replaces_a_document(logged_in, case, rm):
    old = _attached(case, rm)

    response = _upload(logged_in, case, replacing=str(old.uid))

    old.refresh_from_db()
    new = Document.objects.get(case=case, removed_at__isnull=True)
    assert response.status_code == 302
    assert old.removed_at is not None
    assert old.replaced_by == new


def test_it_answers_404_for_another_tenants_case(logged_in):
    other = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[TenantFactory()])
    foreign = case_create(tenant=other.staff_profile.tenants.get(), owner=other)

    assert logged_in.get(reverse("case_documents:page", args=[foreign.pk])).status_code == 404
    assert _upload(logged_in, foreign).status_code == 404
    assert not Document.objects.exists()


def test_it_answers_404_for_a_document_of_another_case(logged_in, case, rm, tenant):
    other = case_create(tenant=tenant, owner=rm)
    document = _attached(other, rm)

    response = logged_in.post(reverse("case_documents:remove", args=[case.pk, document.uid]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "method", "args"),
    [
        ("page", "post", []),
        ("upload", "get", []),
        ("consent", "get", []),
        ("remove", "get", ["uid"]),
        ("restore", "get", ["uid"]),
    ],
)
def test_it_answers_405_for_the_wrong_method(logged_in, case, rm, name, method, args):
    document = _attached(case, rm)
    values = [case.pk, *[document.uid for _ in args]]

    response = getattr(logged_in, method)(reverse(f"case_documents:{name}", args=values))

    assert response.status_code == 405


def test_it_shows_an_officer_the_page_read_only_and_refuses_their_changes(
    client, case, rm, officer
):
    document = _attached(case, rm)
    client.force_login(officer)

    page = client.get(reverse("case_documents:page", args=[case.pk]))
    upload = _upload(client, case)
    remove = client.post(reverse("case_documents:remove", args=[case.pk, document.uid]))

    html = page.content.decode()
    assert page.status_code == 200
    assert str(document.uid) in html
    assert 'type="file"' not in html
    assert "Remove</button>" not in html
    assert upload.status_code == remove.status_code == 403
    assert Document.objects.filter(case=case, removed_at__isnull=True).count() == 1


def test_it_refuses_a_colleagues_changes(client, case, rm2):
    client.force_login(rm2)

    assert client.get(reverse("case_documents:page", args=[case.pk])).status_code == 404
    assert _upload(client, case).status_code == 404


def test_it_links_the_documents_from_the_stepper_and_the_overview(logged_in, case):
    url = reverse("case_documents:page", args=[case.pk])

    section = logged_in.get(reverse("cases:section", args=[case.pk, "client"]))
    overview = logged_in.get(reverse("cases:overview", args=[case.pk]))

    assert f'href="{url}"' in section.content.decode()
    assert f'href="{url}"' in overview.content.decode()


def test_it_checks_the_csrf_token_of_an_upload(case, rm):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(rm)

    response = _upload(client, case)

    assert response.status_code == 403
    assert not Document.objects.exists()


def test_it_still_refuses_a_file_sent_anywhere_else(logged_in, case):
    response = logged_in.post(
        reverse("case_documents:consent", args=[case.pk]),
        {"method": "in_person", "file": SimpleUploadedFile("a.jpg", image_bytes(), "image/jpeg")},
    )

    assert response.status_code == 400


def test_it_keeps_the_old_document_when_its_replacement_is_refused(logged_in, case, rm):
    old = _attached(case, rm)

    response = _upload(logged_in, case, data=b"%PDF-1.7 broken", replacing=str(old.uid))

    old.refresh_from_db()
    assert response.status_code == 422
    assert old.removed_at is None
    assert list(Document.objects.filter(case=case)) == [old]


def test_it_refuses_a_file_over_the_size_limit_without_keeping_it_whole(logged_in, case, settings):
    settings.DOCUMENT_MAX_BYTES = 4096
    large = image_bytes(size=(900, 900))
    assert len(large) > 4096

    response = _upload(logged_in, case, data=large + b"\x00" * 100_000)

    assert response.status_code == 422
    assert "The file is larger than" in response.content.decode()
    assert not Document.objects.exists()
