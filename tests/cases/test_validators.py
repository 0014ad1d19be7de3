import datetime

import pytest
from django.core.exceptions import ValidationError

from onboarding.cases import validators
from onboarding.cases.forms import SalesForm


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("12.345.678-5", "12345678-5"),
        ("12345678-5", "12345678-5"),
        ("123456785", "12345678-5"),
        (" 12 345 678 - 5 ", "12345678-5"),
        ("10.000.013-k", "10000013-K"),
        ("10.000.013-K", "10000013-K"),
        ("10000013k", "10000013-K"),
        ("5.126.663-3", "5126663-3"),
        ("05.126.663-3", "5126663-3"),
    ],
)
def test_it_accepts_and_normalises_a_valid_rut(typed, normalised):
    assert validators.rut_validate(typed) == normalised


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("12.345.678-9", "rut_check_digit"),
        ("15234567", "rut_check_digit"),
        ("15.234.567", "rut_check_digit_missing"),
        ("abc", "rut_format"),
        ("12.345.678-5-5", "rut_format"),
        ("1.2345.678-5", "rut_format"),
        ("123-4", "rut_length"),
        ("1234567890-1", "rut_length"),
    ],
)
def test_it_says_what_is_wrong_with_a_rut(typed, code):
    with pytest.raises(ValidationError) as caught:
        validators.rut_validate(typed)

    assert caught.value.code == code


@pytest.mark.parametrize(
    ("typed", "body"),
    [
        ("15234567", "15234567"),
        ("15.234.567", "15234567"),
        (" 15.234.567 ", "15234567"),
        ("5.126.663", "5126663"),
        ("15234567-4", None),
        ("1.52.34567", None),
        ("123456", None),
        ("García", None),
    ],
)
def test_it_reads_a_rut_typed_without_its_check_digit(typed, body):
    assert validators.rut_body(typed) == body


@pytest.mark.parametrize(
    "typed",
    [
        "120000000",
        "120.000.000",
        "120,000,000",
        "$120.000.000",
        "$ 120.000.000",
        "CLP 120.000.000",
        "clp120.000.000",
        "120.000.000 CLP",
        "CLP$120.000.000",
        "120 000 000",
        "120\u00a0000\u00a0000",
        "120.000.000,00",
        "120,000,000.00",
        "0120000000",
    ],
)
def test_it_reads_an_amount_as_people_type_it(typed):
    assert validators.amount_parse(typed, currency="CLP") == "120000000"


@pytest.mark.parametrize(
    ("typed", "digits"),
    [("1.500", "1500"), ("1,500", "1500"), ("0", "0"), ("1.000,0", "1000"), ("USD 95", "95")],
)
def test_it_reads_a_single_separator_before_three_digits_as_thousands(typed, digits):
    assert validators.amount_parse(typed, currency="USD") == digits


@pytest.mark.parametrize(
    ("typed", "code", "says"),
    [
        ("120.000.000,50", "amount_decimals", "whole CLP, without decimals: remove “,50”"),
        ("1,5", "amount_decimals", "remove “,5”"),
        ("120.00.000", "amount_grouping", "groups of three digits"),
        ("1.000,000,00", "amount_grouping", "groups of three digits"),
        ("120 millones", "amount_characters", "“millones” cannot be part of it"),
        ("12O.000", "amount_characters", "“O” cannot be part of it"),
        ("USD 120.000", "amount_currency", "in USD, but this firm's amounts are in CLP"),
        ("120.000 €", "amount_currency", "in EUR"),
        ("-120.000", "amount_negative", "cannot be negative"),
        ("$", "amount_empty", "digits"),
        ("1" * 16, "amount_too_long", "at most 15 digits"),
        ("١٢٣", "amount_characters", "cannot be part of it"),
    ],
)
def test_it_says_what_is_wrong_with_an_amount(typed, code, says):
    with pytest.raises(ValidationError) as caught:
        validators.amount_parse(typed, currency="CLP")

    assert caught.value.code == code
    message = caught.value.messages[0]
    assert says in message
    assert message != str(SalesForm.base_fields["annual_income"].help_text)


@pytest.mark.parametrize(
    "typed", ["9 6123 4567", "+56 9 6123 4567", "(09) 6123-4567", "0056 961234567", "9-6123-4567"]
)
def test_it_keeps_a_phone_number_as_its_digits(typed):
    assert validators.phone_validate(phone_code="+56", number=typed) == "961234567"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("+56 2 2345 6789", "+56"),
        ("0056 2 2345 6789", "+56"),
        ("+1 (201) 555-0123", "+1"),
        ("+44 20 7946 0958", "+44"),
        ("2 2345 6789", None),
        ("+", None),
        ("+56 abc", None),
    ],
)
def test_it_reads_the_country_code_a_number_starts_with(typed, code):
    assert validators.phone_code_of(typed) == code


def test_it_says_when_a_number_and_its_country_code_disagree():
    with pytest.raises(ValidationError) as caught:
        validators.phone_validate(phone_code="+1", number="+56 2 2345 6789")

    assert caught.value.code == "phone_code_mismatch"
    assert "starts with +56, but the country code chosen is +1" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("code", "number", "region", "error"),
    [
        ("+56", "961234567", "CHL", None),
        ("+1", "2015550123", "USA", None),
        ("+56", "123", None, "phone_invalid"),
        ("+56", "abc", None, "phone_invalid"),
        ("+1", "2015550123", "CAN", "phone_region"),
    ],
)
def test_it_checks_a_phone_number_for_its_country(code, number, region, error):
    if error is None:
        assert validators.phone_validate(phone_code=code, number=number, region=region) == number
        return
    with pytest.raises(ValidationError) as caught:
        validators.phone_validate(phone_code=code, number=number, region=region)
    assert caught.value.code == error


TODAY = datetime.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("born", "error"),
    [
        (datetime.date(1980, 5, 20), None),
        (TODAY, "date_not_past"),
        (datetime.date(2030, 1, 1), "date_not_past"),
        (datetime.date(1899, 12, 31), "date_too_old"),
    ],
)
def test_it_wants_a_birth_date_in_the_past(born, error):
    if error is None:
        validators.date_in_past_validate(born, today=TODAY)
        return
    with pytest.raises(ValidationError) as caught:
        validators.date_in_past_validate(born, today=TODAY)
    assert caught.value.code == error


def test_it_wants_a_job_to_start_before_it_ends():
    validators.period_validate(TODAY, TODAY)
    validators.period_validate(None, TODAY)
    with pytest.raises(ValidationError):
        validators.period_validate(TODAY, TODAY - datetime.timedelta(days=1))


@pytest.mark.parametrize(
    ("liquid", "total", "warns"),
    [
        ("200", "100", True),
        ("100", "200", False),
        ("100", "100", False),
        (None, "1", False),
        ("x", "1", False),
    ],
)
def test_it_warns_when_liquid_exceeds_total_net_worth(liquid, total, warns):
    assert (validators.net_worth_warning(liquid, total) is not None) is warns
