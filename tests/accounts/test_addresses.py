"""E-mail addresses as sign-in names: one case, one alphabet."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from onboarding.accounts.models import User
from onboarding.accounts.validators import email_script_validate

pytestmark = pytest.mark.django_db


def test_it_stores_an_address_in_lower_case_however_it_is_saved():
    User(email="Rosa.Munoz@Example.COM").save()

    assert User.objects.get().email == "rosa.munoz@example.com"


def test_it_lowers_the_addresses_stored_before():
    user = User.objects.create_user(email="rosa@example.com")
    User.objects.filter(pk=user.pk).update(email="Rosa@Example.com")
    migration = importlib.import_module("onboarding.accounts.migrations.0004_email_lower_case")

    migration.emails_lower(apps, None)

    assert User.objects.get().email == "rosa@example.com"


@pytest.mark.parametrize(
    "address",
    [
        "rm@example.com",
        "rm@empresá.cl",  # one alphabet, with an accent
        "почта@пример.рф",
        "rm+tag_2@sub-1.example.com",
    ],
)
def test_it_accepts_an_address_in_one_alphabet(address):
    email_script_validate(address)


@pytest.mark.parametrize(
    "address",
    [
        "rm@ex\u0430mple.com",  # a Cyrillic a among Latin letters
        "rm@\u0440\u0440.example.com",  # a Cyrillic label beside Latin ones
        "rm@\uff45xample.com",  # a full-width e
        "rm@examp\u04cfe.com",  # a Cyrillic palochka for the l
    ],
)
def test_it_refuses_an_address_that_mixes_alphabets(address):
    with pytest.raises(ValidationError, match="mixes alphabets"):
        email_script_validate(address)
