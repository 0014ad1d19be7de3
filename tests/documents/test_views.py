import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.documents.services import document_remove
from onboarding.documents.storage import blob_read
from tests.documents import samples
from tests.factories import TenantFactory, document_create, staff_create, verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(case):
    return document_create(case=case, kind="identity", data=samples.jpeg((300, 200)))


@pytest.fixture
def scan(case):
    return document_create(case=case, kind="address", data=samples.pdf(pages=2))


def _person(who, *, tenant, rm, rm2):
    other = TenantFactory()
    people = {
        "owner": lambda: rm,
        "other_rm": lambda: rm2,
        "officer": lambda: staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant]),
        "admin": lambda: staff_create(role=Role.ADMIN, tenants=[tenant]),
        "other_tenant_rm": lambda: staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[other]),
        "other_tenant_officer": lambda: staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[other]),
        "other_tenant_admin": lambda: staff_create(role=Role.ADMIN, tenants=[other]),
    }
    return people[who]()


MATRIX = {
    "owner": 200,
    "other_rm": 404,
    "officer": 200,
    "admin": 200,
    "other_tenant_rm": 404,
    "other_tenant_officer": 404,
    "other_tenant_admin": 404,
}


@pytest.mark.parametrize(("who", "status"), sorted(MATRIX.items()))
def test_it_serves_a_document_only_to_those_who_may_see_its_case(
    client, who, status, photo, scan, tenant, rm, rm2
):
    verified_login(client, _person(who, tenant=tenant, rm=rm, rm2=rm2))

    addresses = [
        reverse("documents:file", args=[photo.uid]),
        reverse("documents:preview", args=[photo.uid, 1]),
        reverse("documents:file", args=[scan.uid]),
        reverse("documents:preview", args=[scan.uid, 2]),
        reverse("documents:thumbnail", args=[photo.uid, 1]),
        reverse("documents:thumbnail", args=[scan.uid, 2]),
    ]

    assert [client.get(address).status_code for address in addresses] == [status] * 6


def test_it_sends_anyone_signed_out_to_sign_in(client, photo):
    address = reverse("documents:file", args=[photo.uid])

    response = client.get(address)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={address}"


def test_it_serves_the_stored_photo_privately_with_a_neutral_name(client, rm, photo):
    verified_login(client, rm)

    response = client.get(reverse("documents:file", args=[photo.uid]))

    assert response.content == blob_read(name=photo.stored_name)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="document-identity.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_it_serves_a_pdf_as_a_pdf_in_a_sandbox(client, rm, scan):
    verified_login(client, rm)

    response = client.get(reverse("documents:file", args=[scan.uid]))

    assert response.content.startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="document-address.pdf"'
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_it_serves_each_page_preview_and_no_page_beyond(client, rm, scan):
    verified_login(client, rm)

    second = client.get(reverse("documents:preview", args=[scan.uid, 2]))

    assert second.content == blob_read(name=scan.previews[1])
    assert second["Content-Type"] == "image/jpeg"
    assert second["Content-Disposition"] == 'inline; filename="document-address-page-2.jpg"'
    assert "no-store" in second["Cache-Control"]
    assert client.get(reverse("documents:preview", args=[scan.uid, 3])).status_code == 404
    assert client.get(reverse("documents:preview", args=[scan.uid, 0])).status_code == 404


def test_it_refuses_to_write_to_a_document_address(client, rm, photo):
    verified_login(client, rm)

    response = client.post(reverse("documents:file", args=[photo.uid]))

    assert response.status_code == 405


def test_it_answers_404_for_a_document_that_does_not_exist(client, rm, photo):
    verified_login(client, rm)

    response = client.get(reverse("documents:file", args=["0" * 8 + "-0000-0000-0000-" + "0" * 12]))

    assert response.status_code == 404


def test_it_still_serves_a_removed_document_to_those_who_may_see_the_case(
    client, rm, tenant, case, photo
):
    document_remove(case=case, user=rm, document=photo)
    verified_login(client, staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant]))

    response = client.get(reverse("documents:file", args=[photo.uid]))

    assert response.status_code == 200


def test_it_serves_nothing_of_a_discarded_draft(client, rm, case, photo):
    from onboarding.cases.services import case_discard

    case_discard(case=case, user=rm)
    verified_login(client, rm)

    assert client.get(reverse("documents:file", args=[photo.uid])).status_code == 404


def test_it_serves_a_png_preview_of_the_first_version_as_a_png(client, rm, photo):
    from onboarding.documents.models import Document
    from onboarding.documents.storage import blob_write

    Document.objects.filter(pk=photo.pk).update(previews=[blob_write(data=samples.png())])
    verified_login(client, rm)

    response = client.get(reverse("documents:preview", args=[photo.uid, 1]))

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="document-identity-page-1.png"'


def test_it_serves_a_thumbnail_and_falls_back_to_the_preview_for_an_older_document(
    client, rm, scan
):
    verified_login(client, rm)
    thumbnail_name = scan.thumbnails[1]

    thumbnail = client.get(reverse("documents:thumbnail", args=[scan.uid, 2]))
    scan.thumbnails = []
    scan.save(update_fields=["thumbnails"])
    older = client.get(reverse("documents:thumbnail", args=[scan.uid, 2]))
    beyond = client.get(reverse("documents:thumbnail", args=[scan.uid, 3]))

    assert thumbnail.content == blob_read(name=thumbnail_name)
    assert thumbnail["Content-Type"] == "image/jpeg"
    assert "no-store" in thumbnail["Cache-Control"]
    assert older.content == blob_read(name=scan.previews[1])
    assert beyond.status_code == 404
