"""Reads on a worker's hot path, built by the ORM once per process and then sent as they are.

Building a query through the ORM costs several times what PostgreSQL spends answering a read
by primary key (docs/architecture.md, "What a step costs"). A `CompiledRead` keeps the ORM as
the one place its SQL comes from (tables, columns, joins, the field's conversions) and pays
for the building once: the query is built with stand-in ids, compiled, and from then on only
the ids change. Its parameters are ids and keys (integers, and strings such as a hash), which
every database takes as they are.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet

# Stand-ins no real id takes, told apart from the query's own constants by where they land; a
# text column's lookup turns its stand-in into a string.
_STAND_INS = tuple(-(2**62) - number for number in range(8))

# The SQL, its parameters, where each id goes in them (and whether as text), and each
# converted column's conversions.
_Compiled = tuple[str, list[Any], list[tuple[int, type]], list[tuple[int, tuple[list[Any], Any]]]]


class CompiledRead:
    """`build(*ids)` must return a `values_list` queryset whose only variable parts are the ids
    (or keys) it is given, each used once; `rows(*ids)` then answers as that queryset would."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]]) -> None:
        self._build = build
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, *ids: int | str) -> list[tuple[Any, ...]]:
        db = connections[DEFAULT_DB_ALIAS]
        sql, params, positions, converters = self._compiled.get(db.vendor) or self._compile(
            len(ids)
        )
        values = list(params)
        for (position, kind), value in zip(positions, ids, strict=True):
            values[position] = kind(value)
        with db.cursor() as cursor:
            cursor.execute(sql, values)
            found = cursor.fetchall()
        if not converters:
            return found
        converted = []
        for row in found:
            fields = list(row)
            for position, (convert, expression) in converters:
                for converter in convert:
                    fields[position] = converter(fields[position], expression, db)
            converted.append(tuple(fields))
        return converted

    def first(self, *ids: int | str) -> tuple[Any, ...] | None:
        found = self.rows(*ids)
        return found[0] if found else None

    def _compile(self, arity: int) -> _Compiled:
        db = connections[DEFAULT_DB_ALIAS]
        stand_ins = _STAND_INS[:arity]
        queryset = self._build(*stand_ins)
        compiler = queryset.query.get_compiler(using=DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        positions = []
        for stand_in in stand_ins:
            found = [
                (index, type(param))
                for index, param in enumerate(params)
                if param in (stand_in, str(stand_in))
            ]
            if len(found) != 1:
                raise ValueError("each id must appear once in the query's parameters")
            positions.append(found[0])
        columns = [expression for expression, _sql, _alias in compiler.select]
        converters = list(compiler.get_converters(columns).items())
        compiled = (sql, list(params), positions, converters)
        self._compiled[db.vendor] = compiled
        return compiled


def instance(model: type[Model], fields: tuple[str, ...], values: tuple[Any, ...]) -> Any:
    """A model instance holding only these fields, as `.only(*fields)` would load it."""
    return model.from_db(DEFAULT_DB_ALIAS, list(fields), list(values))


class CompiledGet:
    """`select_related(*related).get(pk=...)` built once: the instance with its columns (but
    the `defer`red ones, read if ever used), and the instances its foreign keys `related` point
    to; None when there is no such row. With `lock`, the row is locked as `select_for_update`
    (`no_key`: FOR NO KEY UPDATE) locks it; only a read of one table can lock, so that the
    lock never reaches another table's rows."""

    def __init__(
        self,
        model: type[Model],
        *related: str,
        defer: tuple[str, ...] = (),
        lock: bool = False,
        no_key: bool = False,
    ) -> None:
        if lock and related:
            raise ValueError("a locking read reads one table")
        self._model = model
        self._related = related
        self._defer = defer

        def build(pk: int) -> QuerySet[Any, Any]:
            rows = model._default_manager.filter(pk=pk)
            if lock:
                rows = rows.select_for_update(no_key=no_key)
            own, joined = self._layout
            return rows.values_list(
                *own,
                *(f"{name}__{attname}" for name, _model, names in joined for attname in names),
            )

        self._read = CompiledRead(build)

    def get(self, pk: int) -> Any:
        row = self._read.first(pk)
        if row is None:
            return None
        own, joined = self._layout
        found = instance(self._model, own, row[: len(own)])
        at = len(own)
        for name, target, names in joined:
            setattr(found, name, instance(target, names, row[at : at + len(names)]))
            at += len(names)
        return found

    @functools.cached_property
    def _layout(self) -> tuple[tuple[str, ...], list[tuple[str, type[Model], tuple[str, ...]]]]:
        """The model's columns read, and each related one's: worked out at the first read,
        once the models are all loaded."""
        joined = []
        for name in self._related:
            target = self._model._meta.get_field(name).related_model
            assert isinstance(target, type)
            joined.append((name, target, _attnames(target)))
        return _attnames(self._model, self._defer), joined


def _attnames(model: type[Model], defer: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields if field.name not in defer)
