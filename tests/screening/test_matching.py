"""The matcher on a small list: variants it must find, names it must not, and the explanation
of each hit."""

import datetime
import json

import pytest
from django.core.management import call_command

from onboarding.screening.matching import (
    DEFAULT_THRESHOLD,
    OTHER_BIRTH_YEAR,
    RARE_CLIENT_KEY,
    Person,
    PersonIndex,
    name_similarity,
    screen_person,
)
from tests.screening.conftest import person

pytestmark = pytest.mark.django_db

LIST = [
    person(
        "es-1",
        "Juan García",
        birthDate="1961-03-14",
        nationality="cl",
        topics="role.pep",
        sourceUrl="https://lists.example.org/es-1",
    ),
    person(
        "ru-1",
        "Алексей Викторович Кудрявцев",
        alias="Aleksei Viktorovich Kudryavtsev",
        birthDate="1968-08-15",
        nationality="ru",
        topics=["sanction"],
    ),
    person("ar-1", "محمد سلمان القحطاني", alias="Mohammed Salman al-Qahtani", nationality="sa"),
    person("zh-1", "王建国", birthDate="1962-05-20", nationality="cn", topics="sanction"),
    person("fr-1", "François-Xavier Lefèvre", birthDate="1972", topics="crime"),
]


@pytest.fixture
def lists(list_load):
    return list_load(LIST)


@pytest.mark.parametrize(
    ("name", "entity_id"),
    [
        ("Juan García", "es-1"),
        ("Juan Garcia", "es-1"),  # accents dropped
        ("Juan García López", "es-1"),  # the second surname the list lacks
        ("García Juan", "es-1"),  # word order
        ("J. García", "es-1"),  # an initial
        ("Juan Garsia", "es-1"),  # a typo
        ("Alexei Kudryavtsev", "ru-1"),  # another romanisation, no patronymic
        ("Aleksey Viktorovich Kudriavtsev", "ru-1"),
        ("Кудрявцев Алексей", "ru-1"),  # in Cyrillic, reordered
        ("Muhammad Salman al-Qahtani", "ar-1"),
        ("Mohamed Al Qahtani", "ar-1"),
        ("Wang Jianguo", "zh-1"),  # pinyin of the Chinese name
        ("Wang Jian Guo", "zh-1"),
        ("Jianguo Wang", "zh-1"),
        ("Francois Xavier Lefevre", "fr-1"),
        ("F. X. Lefèvre", "fr-1"),
    ],
)
def test_it_finds_variants_of_listed_names(lists, name, entity_id):
    hits = screen_person(person=Person(names=[name]))

    assert [hit.entity_id for hit in hits][:1] == [entity_id]


@pytest.mark.parametrize(
    "name",
    [
        "Juan Pérez",  # one name in common is not enough
        "García",  # nor is a surname alone
        "Pedro García López",
        "Alexei Navalny",
        "Mohammed Salman al-Harbi Haddad",
        "Wang Wei",
        "François Dubois",
        "María José Rojas Soto",
    ],
)
def test_it_does_not_hit_other_people(lists, name):
    assert screen_person(person=Person(names=[name])) == []


def test_it_explains_a_hit(lists):
    client = Person(
        names=["Juan Andrés Pérez", "Juan García López"],
        birth_date=datetime.date(1961, 3, 14),
        countries=["CHL"],
    )

    (hit,) = screen_person(person=client)

    assert hit.dataset == "sanctions"
    assert hit.version == lists.pk
    assert hit.entity_id == "es-1"
    assert hit.caption == "Juan García"
    assert hit.schema == "Person"
    assert hit.names[0].client == "Juan García López"
    assert hit.names[0].listed == "Juan García"
    assert hit.names[0].score == hit.parts["name"]
    assert hit.parts["birth_date"] > 0
    assert hit.parts["country"] > 0
    assert hit.score == pytest.approx(min(1.0, sum(hit.parts.values())), abs=1e-4)
    assert hit.topics == ["role.pep"]
    assert hit.birth_dates == ["1961-03-14"]
    assert hit.countries == ["CHL"]
    assert hit.source_url == "https://lists.example.org/es-1"
    assert len(hit.digest) == 40


def test_it_lowers_the_score_for_another_birth_year_and_country(lists):
    name = ["Juan García López"]
    alike = screen_person(person=Person(names=name), threshold=0)[0]
    other = screen_person(
        person=Person(names=name, birth_date=datetime.date(1980, 3, 14), countries=["ARG"]),
        threshold=0,
    )[0]

    assert other.parts["birth_date"] == OTHER_BIRTH_YEAR
    assert other.parts["country"] < 0
    assert other.score <= alike.score - 0.25
    assert other.score < DEFAULT_THRESHOLD


def test_it_screens_against_every_current_list_and_only_the_current_versions(list_load):
    list_load(LIST[:1], dataset="peps")
    list_load(LIST[1:2], dataset="sanctions")
    list_load(LIST[2:3], dataset="sanctions")

    assert [hit.dataset for hit in screen_person(person=Person(names=["Juan García"]))] == ["peps"]
    assert screen_person(person=Person(names=["Alexei Kudryavtsev"])) == []
    assert len(screen_person(person=Person(names=["Mohammed al-Qahtani"]))) == 1


def test_it_scores_names_from_nothing_to_one():
    assert name_similarity("Juan García", "Juan García") == 1.0
    assert 0 < name_similarity("Juan García López", "Juan García") < 1
    assert name_similarity("Juan García", "Pedro Soto") == 0.0


def test_the_screen_command_prints_the_hits_as_json(lists, capsys):
    call_command(
        "screen", "--name", "Juan Garcia Lopez", "--birth-date", "1961-03-14", "--country", "chl"
    )

    (hit,) = json.loads(capsys.readouterr().out)
    assert hit["entity_id"] == "es-1"
    assert hit["parts"]["country"] > 0
    assert hit["names"][0]["listed"] == "Juan García"


def test_the_screening_load_command_prints_progress(tmp_path, capsys):
    from tests.screening.conftest import ftm_write

    path = ftm_write(tmp_path / "peps.json", LIST)

    call_command("screening_load", str(path), "--dataset", "peps")

    out = capsys.readouterr().out
    assert "5 lines read" in out
    assert "peps version 1: 5 entities, now in use" in out


def test_it_finds_the_namesake_born_that_year_among_more_namesakes_than_it_scores(list_load):
    namesakes = [
        person(f"ns-{n}", "Mohammed Omar al-Khatib", birthDate=f"{1900 + n % 60}-01-01")
        for n in range(150)
    ]
    target = person("target", "Mohammed Omar al-Khatib", birthDate="1977-05-04")
    list_load([*namesakes, target])

    hits = screen_person(
        person=Person(names=["Muhammad al-Khatib"], birth_date=datetime.date(1977, 5, 4))
    )

    assert hits[0].entity_id == "target"
    assert hits[0].parts["birth_date"] > 0


def test_it_finds_the_clients_a_listed_person_matches_through_their_index():
    index = PersonIndex()
    index.add(1, Person(names=["Aleksei Kudryavtsev"], birth_date=datetime.date(1968, 8, 15)))
    index.add(2, Person(names=["Alejandro Kuri Vargas"], birth_date=datetime.date(1968, 8, 15)))
    for number in range(3, RARE_CLIENT_KEY + 10):
        index.add(number, Person(names=[f"Aleksei {chr(97 + number % 26)}ov Petrov"]))

    found = index.matching(["Алексей Кудрявцев"], ["1968-08-15"], ["RUS"])
    petrovs = index.matching(["Алексей Петров"], [], [])

    assert found == [1]
    assert sorted(petrovs) == list(range(3, RARE_CLIENT_KEY + 10))
    assert len(index) == RARE_CLIENT_KEY + 9
