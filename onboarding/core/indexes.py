"""Indexes the models declare in more than one place."""

from typing import Any

from django.db import models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.ddl_references import Statement
from django.db.models.expressions import OrderBy


def index_where_set(field: str, *, name: str) -> models.Index:
    """An index of an optional column holding only the rows that have a value: a reference to
    a person that most rows leave empty (an event's actor, a step's approver) takes no entry
    for those rows, at every insert and every update of one."""
    return models.Index(
        fields=[field], condition=models.Q(**{f"{field}__isnull": False}), name=name
    )


class PortableIndex(models.Index):
    """An index that keeps its NULLS FIRST/LAST ordering where the database can index that way.

    PostgreSQL needs the index's NULLS LAST to match a query ordered `desc(nulls_last=True)`;
    SQLite (the embedded default) accepts that ordering in a query but refuses it in an index.
    There the index is made without it: SQLite orders NULLs first ascending and last
    descending, which is what the queue's sort by rating asks for anyway.
    """

    def create_sql(
        self,
        model: type[models.Model],
        schema_editor: BaseDatabaseSchemaEditor,
        using: str = "",
        **kwargs: Any,
    ) -> Statement:
        if schema_editor.connection.vendor != "sqlite" or not self.expressions:
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = models.Index(
            *(
                OrderBy(expression.expression, descending=expression.descending)
                if isinstance(expression, OrderBy)
                else expression
                for expression in self.expressions
            ),
            name=self.name,
            db_tablespace=self.db_tablespace,
            opclasses=self.opclasses,
            condition=self.condition,
            include=self.include,
        )
        return plain.create_sql(model, schema_editor, using=using, **kwargs)
