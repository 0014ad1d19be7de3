import pytest

from onboarding.altafid import lookups
from onboarding.altafid.errors import AltafidBadResponse, AltafidValidationError


def test_it_fetches_the_three_config_lists_with_every_item(client):
    for fetch in (lookups.stages_fetch, lookups.sources_fetch, lookups.segments_fetch):
        items = fetch(client)

        assert any(not item.enabled for item in items)
        assert any(item.deleted for item in items)
        assert all(item.code and item.display_name for item in items)


def test_it_fetches_industries(client):
    industries = lookups.industries_fetch(client)

    assert ("TECHNOLOGY", "Technology") in {(i.name, i.display_name) for i in industries}


def test_it_asks_only_for_the_country_fields_it_uses(client, sandbox):
    countries = lookups.countries_fetch(client)

    chile = next(country for country in countries if country.cca3 == "CHL")
    assert chile.common_name == "Chile"
    raw = client.get(lookups.COUNTRIES_PATH, params={"fields": "cca3,name.common"})
    assert raw[0].keys() == {"cca3", "name"}
    assert raw[0]["name"].keys() == {"common"}


def test_it_fetches_the_cities_of_a_country(client):
    cities = lookups.cities_fetch(client, country="ARG")

    assert {city.name for city in cities} >= {"Buenos Aires", "Córdoba"}
    assert {city.country_code for city in cities} == {"ARG"}


def test_it_accepts_cities_given_as_plain_names():
    city = lookups.City.model_validate("Arica")

    assert (city.name, city.country_code) == ("Arica", None)


def test_it_needs_a_country_for_cities(client):
    with pytest.raises(AltafidValidationError) as caught:
        client.get(lookups.CITIES_PATH)

    assert caught.value.field_errors == {"country": ["must not be blank"]}


def test_it_fetches_phone_codes(client):
    codes = lookups.phone_codes_fetch(client)

    assert ("CHL", "+56") in {(code.country_code, code.phone_code) for code in codes}


def test_it_calls_a_foreign_shape_a_bad_response(client, sandbox):
    sandbox.set_lookup("industries", [{"unexpected": True}])

    with pytest.raises(AltafidBadResponse) as caught:
        lookups.industries_fetch(client)

    assert not caught.value.retryable
