"""Database helpers the ORM does not offer."""

from typing import Any, TypeVar, cast

from django.db import connections, transaction
from django.db.models import Model, QuerySet
from django.db.models.sql.subqueries import UpdateQuery

M = TypeVar("M", bound=Model)


def update_returning(queryset: QuerySet[M], **values: Any) -> list[M]:
    """`queryset.update(**values)` that also returns the rows it changed, as they now are.

    One statement (`UPDATE … RETURNING`, PostgreSQL and SQLite ≥ 3.35), so a row claimed by
    a conditional update is read in the same step that claims it: no second query, and no
    moment in which another writer could change it in between.
    """
    model = queryset.model
    query = cast(UpdateQuery, queryset.query.chain(UpdateQuery))
    query.add_update_values(values)
    query.annotations = {}
    compiler = query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    if not sql:
        return []
    connection = connections[queryset.db]
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(cast(str, field.column)) for field in fields)
    with (
        transaction.mark_for_rollback_on_error(using=queryset.db),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"{sql} RETURNING {columns}", params)
        rows = cursor.fetchall()
    converters = compiler.get_converters([field.get_col(model._meta.db_table) for field in fields])
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    names = [field.attname for field in fields]
    return [model.from_db(queryset.db, names, row) for row in rows]
