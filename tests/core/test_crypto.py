import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command

from onboarding.cases.models import Case, SectionRevision
from onboarding.core.crypto import (
    EncryptedJSONField,
    decrypt_text,
    encrypt_text,
    rotate_token,
    search_hash,
)
from tests.submissions.conftest import ready_case, rm, tenant  # noqa: F401 - shared fixtures


def test_it_round_trips_text_without_showing_it(settings):
    token = encrypt_text("RUT 12.345.678-5 · Peñalolén")

    assert "12.345.678" not in token
    assert decrypt_text(token) == "RUT 12.345.678-5 · Peñalolén"


def test_it_still_reads_old_values_after_a_new_key_is_put_in_front(settings):
    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    token = encrypt_text("secret")

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    rotated = rotate_token(token)
    assert decrypt_text(token) == "secret"

    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert decrypt_text(rotated) == "secret"
    with pytest.raises(InvalidToken):
        decrypt_text(token)


@pytest.mark.parametrize("same", ["12.345.678-5", "12345678-5", " 123456785 ", "12345678 5"])
def test_it_hashes_identity_numbers_however_they_are_written(same):
    assert search_hash(same) == search_hash("123456785")


def test_it_keys_the_hash(settings):
    before = search_hash("P1234567")
    settings.SEARCH_HASH_KEY = "another-search-hash-key-of-32-characters"

    assert search_hash("P1234567") != before
    assert search_hash("P1234568") != search_hash("P1234567")
    assert search_hash(" -. ") == ""


def test_it_stores_json_encrypted_in_a_text_column():
    field = EncryptedJSONField()
    value = {"identity_id": ["12.345.678-5"], "nested": {"n": 1}}

    stored = field.get_prep_value(value)

    assert "12.345.678" not in stored
    assert field.from_db_value(stored, None, None) == value
    assert field.get_prep_value(None) is None
    assert field.from_db_value(None, None, None) is None
    assert field.to_python(value) is value
    assert field.deconstruct()[1] == "onboarding.core.crypto.EncryptedJSONField"


def test_it_refuses_to_query_encrypted_values():
    with pytest.raises(TypeError):
        EncryptedJSONField().get_lookup("exact")


@pytest.mark.django_db
@pytest.mark.parametrize("format_", ["json", "xml"])
def test_it_dumps_drafts_encrypted_and_loads_them_back_equal(
    ready_case,  # noqa: F811
    tmp_path,
    format_,
):
    case = Case.objects.get(pk=ready_case.pk)
    revisions = {r.pk: r.raw for r in SectionRevision.objects.filter(case=case)}
    dump = tmp_path / f"cases.{format_}"

    call_command(
        "dumpdata", "cases.case", "cases.sectionrevision", format=format_, output=str(dump)
    )

    text = dump.read_text()
    for typed in ("12.345.678-5", "12345678-5", "1980-05-20", "identity_id", "first_name"):
        assert typed not in text, typed
    Case.objects.filter(pk=case.pk).update(drafts={})
    SectionRevision.objects.filter(case=case).update(raw={})
    call_command("loaddata", str(dump), verbosity=0)
    loaded = Case.objects.get(pk=case.pk)
    assert isinstance(loaded.drafts, dict)
    assert loaded.drafts == case.drafts
    assert {r.pk: r.raw for r in SectionRevision.objects.filter(case=case)} == revisions
