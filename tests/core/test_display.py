import pytest
from django.utils import translation

from onboarding.core.display import currency_affixes, shown_amount


@pytest.mark.parametrize(
    ("language", "currency", "shown"),
    [
        ("en", "CLP", "CLP\xa085,000,000"),
        ("es", "CLP", "$85.000.000"),
        ("en", "USD", "USD\xa085,000,000"),
        ("es", "USD", "USD\xa085.000.000"),
        ("es", "eur", "EUR\xa085.000.000"),
    ],
)
def test_it_shows_an_amount_with_its_currency_in_either_language(language, currency, shown):
    with translation.override(language):
        assert shown_amount("85000000", currency=currency) == shown
        assert shown_amount(85000000, currency=currency) == shown


@pytest.mark.parametrize("typed", ["85.000.000,50", "", "abc", "²"])
def test_it_shows_an_amount_it_cannot_read_as_it_is(typed):
    assert shown_amount(typed, currency="CLP") == typed


@pytest.mark.parametrize(
    ("language", "currency", "affixes"),
    [("en", "CLP", ("CLP", "")), ("es", "CLP", ("$", "")), ("es", "USD", ("USD", ""))],
)
def test_it_puts_the_currency_where_the_language_writes_it(language, currency, affixes):
    with translation.override(language):
        assert currency_affixes(currency) == affixes
