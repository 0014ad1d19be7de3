"""The writes a worker makes around every Altafid call, as plain SQL.

They run several times per case, one after the other on the critical path, and building them
through the ORM cost several times what the database spends on them (docs/architecture.md,
"What a step costs"). Each statement is the conditional update or insert the claim rules of
`services.py` describe; values go through the model fields, so encryption, JSON and dates are
stored exactly as the ORM would store them. PostgreSQL, and SQLite ≥ 3.35 for local runs.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Sequence
from typing import Any, cast

from django.db import connection
from django.db.models import Field, Model

from onboarding.submissions.models import Attempt, Step, StepState

_Converter = Callable[[Any, Any, Any], Any]


def step_claim(
    *, step_id: int, now: datetime.datetime, lease_until: datetime.datetime
) -> Step | None:
    """Marks a queued step whose time has come as running under a lease; None if another won."""
    rows = _run(
        f"UPDATE {_table(Step)} SET state = %s, started_at = %s, lease_expires_at = %s,"
        " attempts = attempts + 1, tries = tries + 1"
        " WHERE id = %s AND state = %s AND (run_after IS NULL OR run_after <= %s)"
        f" RETURNING {_columns(Step)}",
        [
            StepState.RUNNING,
            _value(Step, "started_at", now),
            _value(Step, "lease_expires_at", lease_until),
            step_id,
            StepState.QUEUED,
            _value(Step, "run_after", now),
        ],
    )
    return _model(Step, rows[0]) if rows else None


def step_claim_following(
    *, case_id: int, kind: str, now: datetime.datetime, lease_until: datetime.datetime
) -> Step | None:
    """Claims the case's step of `kind` at once, unless it is under way or done already."""
    rows = _run(
        f"UPDATE {_table(Step)} SET state = %s, queued_at = %s, run_after = %s, started_at = %s,"
        " finished_at = NULL, lease_expires_at = %s, attempts = 1, tries = tries + 1"
        " WHERE case_id = %s AND kind = %s AND state NOT IN (%s, %s, %s)"
        f" RETURNING {_columns(Step)}",
        [
            StepState.RUNNING,
            *[_value(Step, name, now) for name in ("queued_at", "run_after", "started_at")],
            _value(Step, "lease_expires_at", lease_until),
            case_id,
            kind,
            StepState.QUEUED,
            StepState.RUNNING,
            StepState.SUCCEEDED,
        ],
    )
    return _model(Step, rows[0]) if rows else None


def step_close(
    *, step_id: int, state: str, now: datetime.datetime, error: dict[str, Any] | None
) -> bool:
    """Ends a running step; False when it is no longer running (the sweeper took it back)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(Step)} SET state = %s, finished_at = %s, lease_expires_at = NULL,"
            " last_error = %s WHERE id = %s AND state = %s",
            [
                state,
                _value(Step, "finished_at", now),
                _value(Step, "last_error", error),
                step_id,
                StepState.RUNNING,
            ],
        )
        return bool(cursor.rowcount)


def attempt_store(attempt: Attempt) -> None:
    """Inserts the try; one the sweeper already wrote as lost gets its real outcome."""
    names = ("step", "number", "started_at", "finished_at", "outcome", "http_status", "sent")
    values = [_value(Attempt, name, getattr(attempt, _attname(Attempt, name))) for name in names]
    updated = ("finished_at", "outcome", "http_status", "received")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(Attempt)} ({_columns(Attempt, names)}, received)"
            f" VALUES ({', '.join(['%s'] * (len(names) + 1))})"
            " ON CONFLICT (step_id, number) DO UPDATE SET "
            + ", ".join(f"{column} = excluded.{column}" for column in updated),
            [*values, _value(Attempt, "received", attempt.received)],
        )


def _run(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(model: type[Model], names: Sequence[str] | None = None) -> str:
    fields = _fields(model) if names is None else [_field(model, name) for name in names]
    return ", ".join(connection.ops.quote_name(cast(str, field.column)) for field in fields)


def _fields(model: type[Model]) -> list[Field[Any, Any]]:
    return list(model._meta.concrete_fields)


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    return cast("Field[Any, Any]", model._meta.get_field(name))


def _attname(model: type[Model], name: str) -> str:
    return _field(model, name).attname


def _value(model: type[Model], name: str, value: Any) -> Any:
    return _field(model, name).get_db_prep_save(value, connection)


def _model(model: type[Model], row: tuple[Any, ...]) -> Any:
    fields = _fields(model)
    values = [
        functools.reduce(lambda value, convert: convert(value, column, connection), convs, raw)
        for raw, (column, convs) in zip(row, _converters(model, connection.vendor), strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], values)


@functools.cache
def _converters(model: type[Model], vendor: str) -> list[tuple[Any, list[_Converter]]]:
    """Per column, what turns a database value into the model's (dates on SQLite, decryption)."""
    found = []
    for field in _fields(model):
        column = field.get_col(model._meta.db_table)
        found.append(
            (
                column,
                [*connection.ops.get_db_converters(column), *field.get_db_converters(connection)],
            )
        )
    return found
