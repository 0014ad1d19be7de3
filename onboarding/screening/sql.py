"""The statements Django's ORM does not write: COPY, bulk deletes and the weighted candidate
query. Tables come from the models' meta; every value is a parameter."""

from collections.abc import Iterable
from typing import Any

from django.db import connection, models

from onboarding.screening.models import KeyCount, ListEntity, NameKey


def copy_rows(
    table: type[models.Model], columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]
) -> None:
    """PostgreSQL's COPY: a million entities in minutes where INSERTs take far longer."""
    statement = f"COPY {table._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def version_rows_delete(version_id: int) -> None:
    """Without the ORM's cascade, which would read a million rows to delete them."""
    with connection.cursor() as cursor:
        for table in (NameKey, KeyCount, ListEntity):
            cursor.execute(
                f"DELETE FROM {table._meta.db_table} WHERE version_id = %s", [version_id]
            )


def key_counts_build(version_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {KeyCount._meta.db_table} (version_id, key, entities) "
            f"SELECT version_id, key, COUNT(*) FROM {NameKey._meta.db_table} "
            "WHERE version_id = %s GROUP BY version_id, key",
            [version_id],
        )


def changes_mark(version_id: int, base_id: int) -> int:
    """Marks the entities that the base version did not have with the same data; returns
    how many. Run once every row is in, so that only the changes are written twice."""
    table = ListEntity._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET changed = TRUE WHERE version_id = %s AND NOT EXISTS ("
            f"SELECT 1 FROM {table} base WHERE base.version_id = %s "
            f"AND base.entity_id = {table}.entity_id AND base.digest = {table}.digest)",
            [version_id, base_id],
        )
        return cursor.rowcount


def changes_mark_all(version_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ListEntity._meta.db_table} SET changed = TRUE WHERE version_id = %s",
            [version_id],
        )
    return ListEntity.objects.filter(version_id=version_id).count()


def candidates_by_weight(
    version_id: int, weights: list[tuple[str, float]], limit: int
) -> list[tuple[int, float]]:
    """The entities whose keys weigh most together: (ordinal, weight), heaviest first."""
    values = ", ".join(["(%s, %s)"] * len(weights))
    sql = (
        f"WITH q(key, weight) AS (VALUES {values}) "
        f"SELECT k.ordinal, SUM(q.weight) FROM {NameKey._meta.db_table} k "
        "JOIN q ON k.key = q.key WHERE k.version_id = %s "
        "GROUP BY k.ordinal ORDER BY SUM(q.weight) DESC, k.ordinal LIMIT %s"
    )
    params: list[str | float | int] = [value for pair in weights for value in pair]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, version_id, limit])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]
