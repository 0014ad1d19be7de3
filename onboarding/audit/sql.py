"""The audit trail's one write, as plain SQL: it happens on every path, several times a case,
and building the ORM's insert costs several times what PostgreSQL spends on it
(docs/architecture.md, "What a step costs"). Table and column names come from the model's
meta, every value is a parameter prepared by its field as a save would prepare it."""

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field
from django.utils import timezone

from onboarding.audit.models import Event


@dataclass(frozen=True)
class NewEvent:
    kind: str
    tenant_id: int | None
    case_id: int | None = None
    staff_id: int | None = None
    # None: the system did it.
    actor_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


EVENT_COLUMNS = ("tenant", "case", "staff", "actor", "kind", "data", "created_at")


def events_append(events: Sequence[NewEvent], *, now: datetime.datetime | None = None) -> None:
    """Appends the events in one INSERT, its SQL built once per number of rows."""
    if not events:
        return
    db = connections[DEFAULT_DB_ALIAS]
    now = now or timezone.now()
    values = [value for event in events for value in event_row(event, now=now)]
    with db.cursor() as cursor:
        cursor.execute(_insert(db.vendor, len(events)), values)


def event_row(event: NewEvent, *, now: datetime.datetime | None = None) -> list[Any]:
    """The event's values in the order of `events_insert_into`, prepared as a save would."""
    db = connections[DEFAULT_DB_ALIAS]
    return [
        event.tenant_id,
        event.case_id,
        event.staff_id,
        event.actor_id,
        event.kind,
        Event._meta.get_field("data").get_db_prep_save(event.data, db),
        Event._meta.get_field("created_at").get_db_prep_save(now or timezone.now(), db),
    ]


@functools.cache
def events_insert_into() -> str:
    """`INSERT INTO` the events' table and its columns: tenant, case, staff, actor, kind, data
    and time, in this order; for a statement that selects its rows."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    columns = ", ".join(
        quote(cast(str, cast("Field[Any, Any]", Event._meta.get_field(name)).column))
        for name in EVENT_COLUMNS
    )
    return f"INSERT INTO {quote(Event._meta.db_table)} ({columns})"


@functools.cache
def _insert(vendor: str, count: int) -> str:
    row = f"({', '.join(['%s'] * len(EVENT_COLUMNS))})"
    return f"{events_insert_into()} VALUES " + ", ".join([row] * count)
