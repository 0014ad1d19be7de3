"""Recall of true variants and false hits on clean Chilean names, on the labelled set in
labelled.py, with 300 listed Chilean PEPs and a few thousand made-up listed people around it."""

import datetime
import itertools

import pytest

from onboarding.screening.demo import synthetic_entities
from onboarding.screening.matching import Person, screen_person
from tests.screening.labelled import LISTED, chilean_peps, clean_chileans, listed_entity

pytestmark = pytest.mark.django_db

BACKGROUND = 3000


@pytest.fixture
def lists(list_load):
    list_load(
        itertools.chain(map(listed_entity, LISTED), chilean_peps(), synthetic_entities(BACKGROUND))
    )


def _found(listed, name: str, *, with_data: bool) -> bool:
    person = Person(
        names=[name],
        birth_date=datetime.date.fromisoformat(listed.birth_date) if with_data else None,
        countries=listed.client_countries if with_data else [],
    )
    return any(hit.entity_id == listed.id for hit in screen_person(person=person))


def test_it_finds_true_variants_of_listed_people(lists):
    cases = [(listed, name) for listed in LISTED for name in listed.variants]
    missed = [name for listed, name in cases if not _found(listed, name, with_data=True)]
    names_only = [name for listed, name in cases if not _found(listed, name, with_data=False)]

    recall = 1 - len(missed) / len(cases)
    print(f"\nvariants: {len(cases)}, recall {recall:.3f}, missed: {missed}")
    print(f"names only: recall {1 - len(names_only) / len(cases):.3f}, missed: {names_only}")
    assert len(cases) >= 100
    assert recall >= 0.98


def test_it_rarely_hits_clean_chilean_names(lists):
    clients = clean_chileans(400)
    hits = {
        client.name: [
            hit.caption
            for hit in screen_person(
                person=Person(
                    names=[client.name], birth_date=client.birth_date, countries=client.countries
                )
            )
        ]
        for client in clients
    }
    false = {name: found for name, found in hits.items() if found}

    print(f"\nclean names: {len(clients)}, with a hit: {len(false)}: {false}")
    assert len(false) <= len(clients) / 100


def test_it_finds_through_the_clients_index_every_variant_that_screening_finds(lists):
    from onboarding.screening.matching import PersonIndex, index_screen
    from onboarding.screening.models import ListEntity, ListVersion

    cases = [(listed, name) for listed in LISTED for name in listed.variants]
    index = PersonIndex()
    for number, (listed, name) in enumerate(cases):
        index.add(
            number,
            Person(
                names=[name],
                birth_date=datetime.date.fromisoformat(listed.birth_date),
                countries=listed.client_countries,
            ),
        )
    for number, client in enumerate(clean_chileans(400), start=len(cases)):
        index.add(number, Person([client.name], client.birth_date, client.countries))
    version = ListVersion.objects.get(is_current=True)
    ListEntity.objects.filter(version=version).exclude(
        entity_id__in=[listed.id for listed in LISTED]
    ).update(changed=False)

    matched = index_screen(index=index, version=version, changed_only=True)

    screened = {
        number
        for number, (listed, name) in enumerate(cases)
        if _found(listed, name, with_data=True)
    }
    assert screened <= matched
    assert not {number for number in matched if number >= len(cases)}
