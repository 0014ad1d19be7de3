"""Sensitive draft values at rest: Fernet encryption and keyed hashes for exact search.

Drafts hold a firm's most sensitive client data (identity numbers, dates of birth, phone
numbers, wealth, employment, PEP details), so they are stored only encrypted. What the RM's
table shows and searches (name, e-mail, status) stays in plain columns; identity numbers are
searchable through `search_hash` without being stored in clear.
"""

import functools
import hashlib
import hmac
import json
import re
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


@functools.cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return fernet().encrypt(value.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    return fernet().decrypt(token.encode("ascii")).decode()


def rotate_token(token: str) -> str:
    """The same value encrypted with the first (newest) key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def search_hash(value: str, *, purpose: str = "") -> str:
    """A keyed hash of an identity number, equal for "12.345.678-5" and "123456785".

    A `purpose` ("rut-body") gives hashes of its own, which never equal another purpose's
    for the same characters."""
    normalised = re.sub(r"[^0-9A-Z]", "", value.strip().upper())
    if not normalised:
        return ""
    key = str(settings.SEARCH_HASH_KEY).encode()
    message = f"{purpose}\x00{normalised}" if purpose else normalised
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


class EncryptedJSONField(models.TextField):
    """Any JSON value, stored as a Fernet token; only `isnull` can be queried.

    Serialised (dumpdata) as a token too, which `to_python` reads back (loaddata): a dump holds
    no value in clear, and loads only where one of its keys is in FIELD_ENCRYPTION_KEYS.
    """

    # What django-stubs reads as the value type of the field on an instance.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt_text(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return json.loads(decrypt_text(value))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("gAAAAA"):
            return json.loads(decrypt_text(value))
        return value

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise TypeError(f"Encrypted values cannot be queried with {lookup_name!r}")
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj: Any) -> str:
        token = self.get_prep_value(self.value_from_object(obj))
        return "" if token is None else str(token)
