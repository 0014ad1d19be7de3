import datetime

import pytest
from django.core.exceptions import ValidationError

from onboarding.cases import validators


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [("12.345.678-5", "12345678-5"), ("123456785", "12345678-5"), ("10.000.013-k", "10000013-K")],
)
def test_it_accepts_and_normalises_a_valid_rut(typed, normalised):
    assert validators.rut_validate(typed) == normalised


@pytest.mark.parametrize(
    ("typed", "code"), [("12.345.678-9", "rut_check_digit"), ("abc", "rut_format")]
)
def test_it_says_what_is_wrong_with_a_rut(typed, code):
    with pytest.raises(ValidationError) as caught:
        validators.rut_validate(typed)

    assert caught.value.code == code


@pytest.mark.parametrize(
    "typed", ["9 6123 4567", "+56 9 6123 4567", "(09) 6123-4567", "0056 961234567", "9-6123-4567"]
)
def test_it_keeps_a_phone_number_as_its_digits(typed):
    assert validators.phone_validate(phone_code="+56", number=typed) == "961234567"


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
