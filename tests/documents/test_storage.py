import io
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command

from onboarding.documents.models import Document
from onboarding.documents.services import documents_erase
from onboarding.documents.storage import blob_read
from tests.documents import samples
from tests.factories import document_create

pytestmark = pytest.mark.django_db


def _stored(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in directory.rglob("*") if path.is_file()}


def test_it_stores_a_pdf_only_encrypted(case, documents_dir):
    data = samples.pdf(pages=2, text=samples.CANARY)
    assert samples.CANARY.encode() in data

    document = document_create(case=case, kind="address", data=data)

    stored = _stored(documents_dir)
    assert set(stored) == {document.stored_name, *document.previews, *document.thumbnails}
    assert len(stored) == 5
    for name, content in stored.items():
        assert samples.CANARY.encode() not in content, name
        assert b"%PDF" not in content, name
        assert b"\x89PNG" not in content, name
        assert data[64:128] not in content, name
    assert blob_read(name=document.stored_name) == data
    assert samples.CANARY.encode() in blob_read(name=document.stored_name)


def test_it_stores_a_photo_and_its_preview_only_encrypted(case, documents_dir):
    document = document_create(case=case, data=samples.jpeg((300, 200), gps=True))
    kept = blob_read(name=document.stored_name)
    preview = blob_read(name=document.previews[0])

    stored = _stored(documents_dir)
    assert len(stored) == 3
    for content in stored.values():
        assert b"\xff\xd8\xff" not in content
        assert kept[200:264] not in content
        assert preview[100:164] not in content
    assert kept.startswith(b"\xff\xd8\xff")
    assert preview.startswith(b"\xff\xd8\xff")


def test_it_keeps_no_file_when_the_upload_is_refused(case, documents_dir):
    from onboarding.documents.files import FileRefused

    with pytest.raises(FileRefused):
        document_create(case=case, data=samples.pdf_with_script())

    assert not Document.objects.exists()
    assert _stored(documents_dir) == {}


def test_rotate_keys_re_encrypts_files_and_previews_with_the_newest_key(
    case, settings, documents_dir, django_capture_on_commit_callbacks
):
    data = samples.pdf(pages=2, text=samples.CANARY)
    document = document_create(case=case, kind="address", data=data, title="Factura de luz")
    preview = blob_read(name=document.previews[1])
    thumbnail = blob_read(name=document.thumbnails[1])
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]

    output = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rotate_keys", stdout=output)

    assert "Documents: 1 files and their previews re-encrypted" in output.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new]
    document.refresh_from_db()
    assert blob_read(name=document.stored_name) == data
    assert blob_read(name=document.previews[1]) == preview
    assert blob_read(name=document.thumbnails[1]) == thumbnail
    assert document.title == "Factura de luz"
    stored = _stored(documents_dir)
    # The old blobs are gone; what is left opens with the new key alone.
    assert set(stored) == {document.stored_name, *document.previews, *document.thumbnails}
    for content in stored.values():
        Fernet(new.encode()).decrypt(content)
        with pytest.raises(InvalidToken):
            Fernet(old.encode()).decrypt(content)


def test_documents_erase_deletes_every_file_and_row(
    case, documents_dir, django_capture_on_commit_callbacks
):
    document_create(case=case)
    document_create(case=case, kind="address", data=samples.pdf(pages=2))

    with django_capture_on_commit_callbacks(execute=True):
        assert documents_erase(case=case) == 2

    assert not Document.objects.filter(case=case).exists()
    assert _stored(documents_dir) == {}


def test_it_loses_nothing_on_the_case_when_a_replacement_is_refused(case, rm, documents_dir):
    from onboarding.documents.files import FileRefused
    from onboarding.documents.models import DocumentKind
    from onboarding.documents.services import document_attach, documents_of_case

    kept = document_create(case=case)
    before = _stored(documents_dir)

    with pytest.raises(FileRefused):
        document_attach(
            case=case,
            user=rm,
            kind=DocumentKind.IDENTITY,
            data=samples.png_bomb(),
            replacing=kept,
        )

    assert list(documents_of_case(case=case)) == [kept]
    assert _stored(documents_dir) == before
