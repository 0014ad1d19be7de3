from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction

from onboarding.core.crypto import EncryptedJSONField
from onboarding.documents.models import Document
from onboarding.documents.services import document_blobs_rotate

# How many row IDs are read at a time; each row is then rotated in a transaction of its own.
IDS_AT_ONCE = 500


class Command(BaseCommand):
    help = (
        "Re-encrypts every encrypted value, and the documents' files, under the first key of "
        "FIELD_ENCRYPTION_KEYS. Put "
        "the new key first, keep the old ones after it, run this, then drop the old ones. "
        "The app may keep running: each row is read and written back under its lock."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for model in apps.get_models():
            fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedJSONField)]
            if not fields:
                continue
            count = 0
            last: Any = None
            while ids := _ids_after(model, last):
                count += sum(_row_rotate(model, pk, fields) for pk in ids)
                last = ids[-1]
            label = model._meta.label
            self.stdout.write(f"{label}: {count} rows re-encrypted ({', '.join(fields)})")
        # The documents' bytes are encrypted with the same keys, outside the database.
        count = 0
        last = None
        while ids := _ids_after(Document, last):
            count += sum(document_blobs_rotate(pk=pk) for pk in ids)
            last = ids[-1]
        self.stdout.write(f"Documents: {count} files and their previews re-encrypted")


def _ids_after(model: type[models.Model], last: Any) -> list[Any]:
    rows = model._default_manager.order_by("pk")
    if last is not None:
        rows = rows.filter(pk__gt=last)
    return list(rows.values_list("pk", flat=True)[:IDS_AT_ONCE])


def _row_rotate(model: type[models.Model], pk: Any, fields: list[str]) -> int:
    """Re-encrypts one row as it is now: read under its lock (with any key), written back with
    the first key before the lock goes, so a save made meanwhile is neither overwritten by an
    older value nor left under the old key. One row at a time, so the rotation never holds
    more than one lock and cannot deadlock with the app."""
    with transaction.atomic():
        rows = model._default_manager.select_for_update().filter(pk=pk)
        current = rows.values_list(*fields).first()
        if current is None:
            return 0
        rows.update(**dict(zip(fields, current, strict=True)))
    return 1
