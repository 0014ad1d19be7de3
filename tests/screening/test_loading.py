"""Loading a list: both formats, a failed load, the atomic switch."""

import csv

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onboarding.screening.loading import (
    ListLoadFailed,
    screening_list_load,
    screening_version_start,
)
from onboarding.screening.models import KeyCount, ListEntity, ListVersion, NameKey, VersionState
from onboarding.screening.signals import list_switched
from tests.screening.conftest import ftm_write, person

pytestmark = pytest.mark.django_db

PUTIN_LIKE = person(
    "ru-1",
    "Алексей Викторович Кудрявцев",
    alias=["Aleksei Kudryavtsev"],
    birthDate="1968-08-15",
    nationality="ru",
    topics=["sanction", "role.pep"],
    sourceUrl="https://lists.example.org/ru-1",
)


def test_it_loads_a_followthemoney_file_keeping_people_only(tmp_path):
    path = ftm_write(
        tmp_path / "entities.ftm.json",
        [
            PUTIN_LIKE,
            {"id": "co-1", "schema": "Company", "properties": {"name": ["Acme Holdings"]}},
            {"id": "s-1", "schema": "Sanction", "properties": {"entity": ["ru-1"]}},
            person("le-1", "Ramiro Sotomayor", country="Chile"),
        ],
    )
    heard: list[int] = []

    version = screening_list_load(path=path, dataset="sanctions", progress=heard.append)

    assert version.state == VersionState.READY
    assert version.is_current
    assert version.entity_count == 2
    assert version.lines_read == 4
    assert heard == [4]
    entity = ListEntity.objects.get(version=version, entity_id="ru-1")
    assert entity.schema == "Person"
    assert entity.names == ["Алексей Викторович Кудрявцев", "Aleksei Kudryavtsev"]
    assert entity.birth_dates == ["1968-08-15"]
    assert entity.countries == ["RUS"]
    assert entity.topics == ["role.pep", "sanction"]
    assert entity.source_url == "https://lists.example.org/ru-1"
    assert len(entity.digest) == 40
    # FollowTheMoney cleaned the country name into its code.
    assert ListEntity.objects.get(entity_id="le-1").countries == ["CHL"]
    # Kudryavtsev in both scripts shares one key; and the birth year.
    keys = NameKey.objects.filter(version=version, ordinal=entity.ordinal)
    assert sorted(keys.values_list("key", flat=True)) == ["#1968", "alks", "kdrvtsv", "vktrvk"]
    assert KeyCount.objects.filter(version=version).count() > 0


def test_it_loads_a_targets_simple_csv(tmp_path):
    path = tmp_path / "targets.simple.csv"
    columns = [
        "id", "schema", "name", "aliases", "birth_date", "countries", "addresses",
        "identifiers", "sanctions", "phones", "emails", "dataset", "first_seen", "last_seen",
        "last_change",
    ]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as target:
        writer = csv.DictWriter(target, fieldnames=columns)
        writer.writeheader()
        writer.writerow(
            {
                "id": "os-1",
                "schema": "Person",
                "name": "Jürgen Weiß",
                "aliases": "Juergen Weiss;Jurgen Weiss",
                "birth_date": "1955-12-24",
                "countries": "de;at",
                "sanctions": "EU - Council Regulation 269/2014",
                "dataset": "EU Financial Sanctions",
            }
        )
        writer.writerow({"id": "os-2", "schema": "Organization", "name": "Weiss GmbH"})

    version = screening_list_load(path=path, dataset="sanctions")

    entity = ListEntity.objects.get(version=version)
    assert entity.entity_id == "os-1"
    assert entity.names == ["Jürgen Weiß", "Juergen Weiss", "Jurgen Weiss"]
    assert entity.birth_dates == ["1955-12-24"]
    assert entity.countries == ["AUT", "DEU"]
    assert entity.topics == ["sanction"]
    assert entity.source_url == ""


def test_it_marks_the_rows_of_a_peps_dataset_as_peps(tmp_path):
    path = tmp_path / "targets.simple.csv"
    path.write_text(
        "id,schema,name,aliases,birth_date,countries,sanctions\nos-9,Person,Ana Soto,,,cl,\n"
    )

    version = screening_list_load(path=path, dataset="peps")

    assert ListEntity.objects.get(version=version).topics == ["role.pep"]


def test_it_keeps_the_current_version_when_a_load_fails(tmp_path):
    current = screening_list_load(
        path=ftm_write(tmp_path / "one.json", [PUTIN_LIKE]), dataset="sanctions"
    )
    broken = tmp_path / "two.json"
    broken.write_text(
        '{"id": "a", "schema": "Person", "properties": {"name": ["Ana Soto"]}}\n'
        '{"id": "b", broken\n'
    )

    with pytest.raises(ListLoadFailed, match="line 2"):
        screening_list_load(path=broken, dataset="sanctions")

    failed = ListVersion.objects.get(dataset="sanctions", number=2)
    assert failed.state == VersionState.FAILED
    assert not failed.is_current
    assert "line 2" in failed.error
    assert not ListEntity.objects.filter(version=failed).exists()
    assert not NameKey.objects.filter(version=failed).exists()
    current.refresh_from_db()
    assert current.is_current
    assert current.state == VersionState.READY
    assert ListEntity.objects.filter(version=current).count() == 1


def test_it_refuses_a_file_without_people(tmp_path):
    path = ftm_write(
        tmp_path / "orgs.json", [{"id": "c", "schema": "Company", "properties": {"name": ["X"]}}]
    )

    with pytest.raises(ListLoadFailed, match="no person"):
        screening_list_load(path=path, dataset="sanctions")

    assert ListVersion.objects.get().state == VersionState.FAILED


def test_it_refuses_a_csv_without_the_columns(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")

    with pytest.raises(ListLoadFailed, match=r"targets\.simple\.csv"):
        screening_list_load(path=path, dataset="sanctions")


def test_it_switches_to_the_new_version_in_one_transaction_and_drops_the_old_rows(
    tmp_path, django_capture_on_commit_callbacks
):
    first = screening_list_load(
        path=ftm_write(tmp_path / "one.json", [PUTIN_LIKE]), dataset="sanctions"
    )
    peps = screening_list_load(
        path=ftm_write(tmp_path / "peps.json", [person("p-1", "Ana Soto")]), dataset="peps"
    )
    switched = []
    list_switched.connect(lambda sender, version, **kwargs: switched.append(version.pk), weak=False)
    try:
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            second = screening_list_load(
                path=ftm_write(tmp_path / "two.json", [PUTIN_LIKE, person("ru-2", "Oleg Titov")]),
                dataset="sanctions",
            )
    finally:
        list_switched.receivers.clear()

    first.refresh_from_db()
    assert (first.state, first.is_current) == (VersionState.REPLACED, False)
    assert (second.state, second.is_current, second.number) == (VersionState.READY, True, 2)
    assert not ListEntity.objects.filter(version=first).exists()
    assert not NameKey.objects.filter(version=first).exists()
    assert ListEntity.objects.filter(version=second).count() == 2
    peps.refresh_from_db()
    assert peps.is_current
    assert switched == [second.pk]
    statements = [query["sql"] for query in queries.captured_queries]
    switches = [
        i
        for i, sql in enumerate(statements)
        if sql.startswith('UPDATE "screening_listversion"') and '"is_current"' in sql
    ]
    assert len(switches) == 2
    # Both versions change within one transaction (a savepoint inside the test's own).
    opened = max(i for i in range(switches[0]) if statements[i].startswith("SAVEPOINT"))
    assert not any(sql.startswith("RELEASE") for sql in statements[opened : switches[1]])


def test_it_marks_what_changed_since_the_version_in_use(tmp_path):
    kept, left = person("p-1", "Ana Soto"), person("p-2", "Luis Vera")
    first = screening_list_load(path=ftm_write(tmp_path / "1.json", [kept, left]), dataset="peps")
    moved = person("ru-1", "Alexei Kudryavtsev", birthDate="1968-08-15")
    screening_list_load(path=ftm_write(tmp_path / "2.json", [kept, moved]), dataset="peps")
    changed = person("ru-1", "Alexei Kudryavtsev", birthDate="1968-08-16")
    third = screening_list_load(
        path=ftm_write(tmp_path / "3.json", [kept, changed, person("p-3", "Eva Paz")]),
        dataset="peps",
    )

    marked = dict(ListEntity.objects.filter(version=third).values_list("entity_id", "changed"))
    assert first.changed_count == 2
    assert ListEntity.objects.filter(version=first).count() == 0
    assert marked == {"p-1": False, "ru-1": True, "p-3": True}
    assert (third.changed_count, third.base.number) == (2, 2)


def test_it_counts_everything_as_changed_when_another_load_switched_first(tmp_path):
    first = screening_list_load(path=ftm_write(tmp_path / "1.json", [PUTIN_LIKE]), dataset="peps")
    late = screening_version_start(dataset="peps")
    screening_list_load(path=ftm_write(tmp_path / "2.json", [PUTIN_LIKE]), dataset="peps")

    screening_list_load(
        path=ftm_write(tmp_path / "3.json", [PUTIN_LIKE]), dataset="peps", version=late
    )

    late.refresh_from_db()
    assert late.base_id is None
    assert late.changed_count == 1
    assert ListEntity.objects.get(version=late).changed
    assert first.pk != late.pk
