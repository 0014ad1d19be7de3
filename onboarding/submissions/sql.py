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
from dataclasses import dataclass
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

from onboarding.accounts.models import Tenant
from onboarding.audit.models import EventKind
from onboarding.audit.sql import (
    EVENT_COLUMNS,
    NewEvent,
    event_row,
    events_append,
    events_insert_into,
)
from onboarding.cases.lifecycle import CLOSED, FOLLOWABLE
from onboarding.cases.models import Case
from onboarding.core.compiled import CompiledRead, instance
from onboarding.submissions.models import Attempt, Step, StepState

_Converter = Callable[[Any, Any, Any], Any]


# What a step reads of its case: never the drafts (the step sends its own stored body, and
# decrypting them is work), nor the columns the pages show. Whatever else is read of it
# (after a refusal, say) is loaded when first read.
STEP_CASE_FIELDS = ("id", "tenant_id", "contact_uuid", "duplicate_decision")
_STEP_CASE = CompiledRead(
    lambda case_id: Case.objects.filter(pk=case_id).values_list(
        *STEP_CASE_FIELDS, "tenant__altafid_uuid"
    )
)


def step_claim(
    *, step_id: int, now: datetime.datetime, lease_until: datetime.datetime
) -> Step | None:
    """Marks a queued step whose time has come as running under a lease, and records that it
    started (its `STEP_STARTED` event); None if another won.

    The step comes with what it reads of its case (`STEP_CASE_FIELDS` and the tenant's
    Altafid UUID). On PostgreSQL all of it is one statement, its own transaction (a commit is
    a flush of the database's log, and a transaction's BEGIN and COMMIT are two more trips to
    it); elsewhere, one transaction."""
    db = connections[DEFAULT_DB_ALIAS]
    sql = _statements(db.vendor)
    at = _value(db, Step, "started_at", now)
    claim = [
        StepState.RUNNING,
        at,
        _value(db, Step, "lease_expires_at", lease_until),
        step_id,
        StepState.QUEUED,
        _value(db, Step, "run_after", now),
    ]
    if sql.claim_started:
        rows = _rows(db, sql.claim_started, [*claim, EventKind.STEP_STARTED, at])
        if not rows:
            return None
        width = len(_fields(Step))
        step: Step = _model(db, Step, rows[0][:width])
        step.case = _step_case(rows[0][width:])
        return step
    with transaction.atomic(using=db.alias):
        rows = _rows(db, sql.claim, claim)
        if not rows:
            return None
        step = _model(db, Step, rows[0])
        step.case = _step_case(_STEP_CASE.rows(step.case_id)[0])
        events_append([step_started(step)], now=now)
    return step


def step_started(step: Step) -> NewEvent:
    """The event of a step's try starting; the one statement of `step_claim` on PostgreSQL
    builds the same."""
    return NewEvent(
        tenant_id=step.case.tenant_id,
        case_id=step.case_id,
        kind=EventKind.STEP_STARTED,
        data={"step": step.kind, "round": step.round, "attempt": step.tries},
    )


def _step_case(row: Sequence[Any]) -> Case:
    case = instance(Case, STEP_CASE_FIELDS, tuple(row[:-1]))
    case.tenant = instance(Tenant, ("id", "altafid_uuid"), (row[1], row[-1]))
    return case


def step_claim_following(
    *,
    case: Case,
    round: int,
    kind: str,
    now: datetime.datetime,
    lease_until: datetime.datetime,
) -> Step | None:
    """Claims the case's step of `kind` in `round` at once, if it waits for the one before,
    and records that it started (`step_started`): on PostgreSQL in the same statement."""
    db = connections[DEFAULT_DB_ALIAS]
    sql = _statements(db.vendor)
    at = _value(db, Step, "started_at", now)
    claim = [
        StepState.RUNNING,
        at,
        at,
        at,
        _value(db, Step, "lease_expires_at", lease_until),
        case.pk,
        round,
        kind,
        *FOLLOWABLE,
    ]
    if sql.claim_following_started:
        rows = _rows(
            db, sql.claim_following_started, [*claim, case.tenant_id, EventKind.STEP_STARTED, at]
        )
    else:
        rows = _rows(db, sql.claim_following, claim)
    if not rows:
        return None
    step: Step = _model(db, Step, rows[0])
    step.case = case
    if not sql.claim_following_started:
        events_append([step_started(step)], now=now)
    return step


def step_waiting_locked(*, case_id: int, round: int, kind: str) -> Step | None:
    """The case's step of `kind` in `round` if it waits for the one before, locked."""
    db = connections[DEFAULT_DB_ALIAS]
    rows = _rows(
        db, _statements(db.vendor).waiting_locked, [case_id, round, kind, StepState.WAITING]
    )
    return _model(db, Step, rows[0]) if rows else None


def step_save(step: Step, *, fields: Sequence[str]) -> None:
    """`step.save(update_fields=fields)` as one UPDATE built once per set of fields; fields
    set on save (`auto_now`) are set as a save sets them."""
    db = connections[DEFAULT_DB_ALIAS]
    names = tuple(fields)
    values = [
        _field(Step, name).get_db_prep_save(_field(Step, name).pre_save(step, False), db)
        for name in names
    ]
    with db.cursor() as cursor:
        cursor.execute(_step_update(db.vendor, names), [*values, step.pk])
        if not cursor.rowcount:
            raise DatabaseError("Save with update_fields did not affect any rows.")


@functools.cache
def _step_update(vendor: str, names: tuple[str, ...]) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    assignments = ", ".join(f"{quote(cast(str, _field(Step, n).column))} = %s" for n in names)
    return f"UPDATE {quote(Step._meta.db_table)} SET {assignments} WHERE id = %s"


def step_close(
    *,
    step_id: int,
    case_id: int,
    state: str,
    now: datetime.datetime,
    error: dict[str, Any] | None,
    attempt: Attempt,
    event: NewEvent,
) -> bool:
    """Ends a running step and records `event`; False, and no event, when it is no longer
    running (the sweeper took it back). The try is stored (`attempt_store`) either way.

    The case is locked first (`case_lock`): closing may move its status. On PostgreSQL all of
    it is one statement, in the caller's transaction."""
    db = connections[DEFAULT_DB_ALIAS]
    sql = _statements(db.vendor)
    close = [
        state,
        _value(db, Step, "finished_at", now),
        _value(db, Step, "last_error", error),
    ]
    if sql.close_storing:
        rows = _rows(
            db,
            sql.close_storing,
            [
                *_attempt_values(db, attempt),
                *close,
                case_id,
                step_id,
                StepState.RUNNING,
                *event_row(event, now=now),
            ],
        )
        return bool(rows[0][0])
    case_lock(case_id=case_id)
    attempt_store(attempt)
    with db.cursor() as cursor:
        cursor.execute(sql.close, [*close, step_id, StepState.RUNNING])
        closed = bool(cursor.rowcount)
    if closed:
        events_append([event], now=now)
    return closed


def case_lock(*, case_id: int) -> None:
    """`cases.locks.case_lock` in plain SQL: the case row first, before any of its steps,
    as every writer of both locks them."""
    db = connections[DEFAULT_DB_ALIAS]
    if not db.features.has_select_for_update:
        return  # SQLite: a writer has the whole database to itself
    with db.cursor() as cursor:
        cursor.execute(_statements(db.vendor).case_lock, [case_id])


def case_contact_uuid_set(*, case_id: int, contact_uuid: str) -> None:
    """Stores the contact UUID Altafid answered with."""
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(_statements(db.vendor).case_contact_uuid_set, [contact_uuid, case_id])


@dataclass(frozen=True)
class CaseSteps:
    status: str
    unsent_changes: bool
    # (round, kind) to state
    steps: dict[tuple[int, str], str]


def case_steps(*, case_id: int) -> CaseSteps | None:
    """The case's status and its steps' states, in one statement (the case's status is read
    again after every step that ends a chain)."""
    db = connections[DEFAULT_DB_ALIAS]
    rows = _rows(db, _statements(db.vendor).case_steps, [case_id])
    if not rows:
        return None
    status, unsent_changes = rows[0][0], bool(rows[0][1])
    steps = {(row[2], row[3]): row[4] for row in rows if row[2] is not None}
    return CaseSteps(status=status, unsent_changes=unsent_changes, steps=steps)


def case_status_set(*, case_id: int, status: str) -> None:
    """Sets the status, unless the case was closed meanwhile."""
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(_statements(db.vendor).case_status_set, [status, case_id])


_ATTEMPT_COLUMNS = (
    "step",
    "number",
    "started_at",
    "finished_at",
    "outcome",
    "http_status",
    "sent",
    "received",
)


def attempt_store(attempt: Attempt) -> None:
    """Inserts the try; one the sweeper already wrote as lost gets its real outcome."""
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(_statements(db.vendor).attempt, _attempt_values(db, attempt))


def _attempt_values(db: BaseDatabaseWrapper, attempt: Attempt) -> list[Any]:
    return [
        _value(db, Attempt, name, getattr(attempt, _field(Attempt, name).attname))
        for name in _ATTEMPT_COLUMNS
    ]


@dataclass(frozen=True)
class _Statements:
    claim: str
    # The claim with its case's columns (an UPDATE … FROM whose RETURNING reads the joined
    # rows) and its event's insert, in one statement (PostgreSQL); empty elsewhere.
    claim_started: str
    claim_following: str
    # The same with its event's insert (PostgreSQL); empty elsewhere.
    claim_following_started: str
    waiting_locked: str
    close: str
    # The attempt's insert, the case's lock, the close and its event in one statement, where
    # the database can (a data-modifying WITH: PostgreSQL); empty elsewhere.
    close_storing: str
    attempt: str
    case_lock: str
    case_contact_uuid_set: str
    case_steps: str
    case_status_set: str


@functools.cache
def _statements(vendor: str) -> _Statements:
    """Built once: table and column names come from the models, values are all parameters."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    step, attempt = quote(Step._meta.db_table), quote(Attempt._meta.db_table)
    case = quote(Case._meta.db_table)
    returning = ", ".join(quote(cast(str, field.column)) for field in _fields(Step))
    qualified = ", ".join(f"{step}.{quote(cast(str, field.column))}" for field in _fields(Step))
    columns = ", ".join(quote(cast(str, _field(Attempt, n).column)) for n in _ATTEMPT_COLUMNS)
    updated = ("finished_at", "outcome", "http_status", "received")
    followable = ", ".join(["%s"] * len(FOLLOWABLE))
    closed = ", ".join(f"'{status}'" for status in CLOSED)
    # SQLite: a writer has the whole database to itself.
    lock = " FOR UPDATE" if connections[DEFAULT_DB_ALIAS].features.has_select_for_update else ""
    event_values = ", ".join(["%s"] * len(EVENT_COLUMNS))
    lock_case = f"SELECT id FROM {case} WHERE id = %s FOR NO KEY UPDATE"
    closing = (
        f"UPDATE {step} SET state = %s, finished_at = %s, lease_expires_at = NULL, last_error = %s"
    )
    attempt_insert = (
        f"INSERT INTO {attempt} ({columns})"
        f" VALUES ({', '.join(['%s'] * len(_ATTEMPT_COLUMNS))})"
        " ON CONFLICT (step_id, number) DO UPDATE SET "
        + ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in updated)
    )
    claimed = (
        f"UPDATE {step} SET state = %s, started_at = %s, lease_expires_at = %s,"
        f" attempts = {step}.attempts + 1, tries = {step}.tries + 1"
    )
    due = (
        f"{step}.id = %s AND {step}.state = %s"
        f" AND ({step}.run_after IS NULL OR {step}.run_after <= %s)"
    )
    tenant = quote(Tenant._meta.db_table)
    following = (
        f"UPDATE {step} SET state = %s, queued_at = %s, run_after = %s, started_at = %s,"
        " finished_at = NULL, lease_expires_at = %s, attempts = 1, tries = tries + 1"
        f" WHERE case_id = %s AND round = %s AND kind = %s AND state IN ({followable})"
        f" RETURNING {returning}"
    )
    # `step_started`'s event, for the step a statement's `claimed` returns.
    started = (
        f"{events_insert_into()} SELECT {{tenant}}, case_id, NULL, NULL, %s,"
        " jsonb_build_object('step', kind, 'round', round, 'attempt', tries), %s FROM claimed"
    )
    case_columns = ", ".join(
        f"{case}.{quote(cast(str, _field(Case, name).column))}" for name in STEP_CASE_FIELDS
    )
    return _Statements(
        claim=f"{claimed} WHERE {due} RETURNING {returning}",
        claim_started=(
            f"WITH claimed AS ({claimed} FROM {case} JOIN {tenant}"
            f" ON {tenant}.id = {case}.tenant_id WHERE {due} AND {case}.id = {step}.case_id"
            f" RETURNING {qualified}, {case_columns}, {tenant}.altafid_uuid),"
            f" started AS ({started.format(tenant='tenant_id')}) SELECT * FROM claimed"
            if vendor == "postgresql"
            else ""
        ),
        claim_following=following,
        claim_following_started=(
            f"WITH claimed AS ({following}),"
            f" started AS ({started.format(tenant='%s')}) SELECT * FROM claimed"
            if vendor == "postgresql"
            else ""
        ),
        waiting_locked=(
            f"SELECT {returning} FROM {step}"
            " WHERE case_id = %s AND round = %s AND kind = %s AND state = %s"
            f" ORDER BY id LIMIT 1{lock}"
        ),
        close=f"{closing} WHERE id = %s AND state = %s",
        # The case's row is locked by the join, before the step's: an UPDATE locks its own
        # row last, once the row it joins is found.
        close_storing=(
            f"WITH stored AS ({attempt_insert}),"
            f" closed AS ({closing} FROM ({lock_case}) locked"
            f" WHERE {step}.id = %s AND {step}.state = %s"
            f" AND {step}.case_id = locked.id RETURNING {step}.id),"
            f" logged AS ({events_insert_into()} SELECT {event_values} FROM closed)"
            " SELECT count(*) FROM closed"
            if vendor == "postgresql"
            else ""
        ),
        attempt=attempt_insert,
        case_lock=lock_case,
        case_contact_uuid_set=f"UPDATE {case} SET contact_uuid = %s WHERE id = %s",
        case_steps=(
            f"SELECT c.status, c.unsent_changes, s.round, s.kind, s.state FROM {case} c"
            f" LEFT JOIN {step} s ON s.case_id = c.id WHERE c.id = %s"
        ),
        case_status_set=(
            f"UPDATE {case} SET status = %s WHERE id = %s AND status NOT IN ({closed})"
        ),
    )


def _rows(db: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@functools.cache
def _fields(model: type[Model]) -> tuple[Field[Any, Any], ...]:
    return tuple(model._meta.concrete_fields)


@functools.cache
def _field(model: type[Model], name: str) -> Field[Any, Any]:
    return cast("Field[Any, Any]", model._meta.get_field(name))


def _value(db: BaseDatabaseWrapper, model: type[Model], name: str, value: Any) -> Any:
    return _field(model, name).get_db_prep_save(value, db)


def _model(db: BaseDatabaseWrapper, model: type[Model], row: tuple[Any, ...]) -> Any:
    values = [
        functools.reduce(lambda value, convert: convert(value, column, db), convs, raw)
        for raw, (column, convs) in zip(row, _converters(model, db.vendor), strict=True)
    ]
    return model.from_db(db.alias, [field.attname for field in _fields(model)], values)


@functools.cache
def _converters(model: type[Model], vendor: str) -> list[tuple[Any, list[_Converter]]]:
    """Per column, what turns a database value into the model's (dates on SQLite, decryption)."""
    db = connections[DEFAULT_DB_ALIAS]
    found = []
    for field in _fields(model):
        column = field.get_col(model._meta.db_table)
        found.append((column, [*db.ops.get_db_converters(column), *field.get_db_converters(db)]))
    return found
