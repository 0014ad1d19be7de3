"""A document's bytes at rest: encrypted with the field keys (`core.crypto`), then handed to
the `documents` storage of `STORAGES` under an opaque name. Whatever the backend, it only
ever holds ciphertext; `rotate_keys` re-encrypts with the newest key
(`services.document_blobs_rotate`)."""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import storages

from onboarding.core.crypto import fernet


def _storage():  # type: ignore[no-untyped-def]
    return storages["documents"]


def blob_write(*, data: bytes) -> str:
    """Stores `data` encrypted; returns its opaque name."""
    return str(_storage().save(uuid.uuid4().hex, ContentFile(fernet().encrypt(data))))


def blob_read(*, name: str) -> bytes:
    with _storage().open(name, "rb") as stored:
        return fernet().decrypt(stored.read())


def blob_delete(*, name: str) -> None:
    _storage().delete(name)


def blob_rotate(*, name: str) -> str:
    """The same bytes encrypted with the first (newest) key, under a new name, which is
    returned; the old blob stays until the caller deletes it, so a reader never finds none."""
    with _storage().open(name, "rb") as stored:
        token = fernet().rotate(stored.read())
    return str(_storage().save(uuid.uuid4().hex, ContentFile(token)))
