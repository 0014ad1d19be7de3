from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from onboarding.core.crypto import EncryptedJSONField


class Command(BaseCommand):
    help = (
        "Re-encrypts every encrypted value under the first key of FIELD_ENCRYPTION_KEYS. Put "
        "the new key first, keep the old ones after it, run this, then drop the old ones."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for model in apps.get_models():
            fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedJSONField)]
            if not fields:
                continue
            count = 0
            for row in model._default_manager.only("pk", *fields).iterator(chunk_size=500):
                with transaction.atomic():
                    # Read with any key, written back with the first.
                    model._default_manager.filter(pk=row.pk).update(
                        **{name: getattr(row, name) for name in fields}
                    )
                count += 1
            label = model._meta.label
            self.stdout.write(f"{label}: {count} rows re-encrypted ({', '.join(fields)})")
