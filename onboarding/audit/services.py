from typing import Any

from django.db.models import QuerySet

from onboarding.accounts.models import Tenant, User
from onboarding.audit.models import Event, EventKind
from onboarding.audit.sql import NewEvent, events_append
from onboarding.core.inputs import search_clean

# Fields whose values are codes of a classification, not facts about the person: a save
# event keeps their old and new values. Every other field is recorded only as "changed".
VALUES_SHOWN = frozenset(
    {
        "contact_type",
        "contact_means",
        "contact_preference",
        "preferred_contact_language",
        "contact_source",
        "market_segment",
        "stage_name",
        "identity_type",
        "compliance_address",
        "login_email",
    }
)


SHOWN_MAX_LENGTH = 100


def event_record(
    *,
    kind: EventKind,
    tenant: Tenant | int | None,
    actor: User | None,
    case: Any = None,
    staff: User | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Appends one event; `actor` None means the system did it. `tenant` None only for a
    deployment superuser who works in no tenant."""
    events_append(
        [event_new(kind=kind, tenant=tenant, actor=actor, case=case, staff=staff, data=data)]
    )


def event_new(
    *,
    kind: EventKind,
    tenant: Tenant | int | None,
    actor: User | None,
    case: Any = None,
    staff: User | None = None,
    data: dict[str, Any] | None = None,
) -> NewEvent:
    """An event as `event_record` appends it, for `events_append` to write with others in one
    statement."""
    return NewEvent(
        kind=kind,
        tenant_id=tenant.pk if isinstance(tenant, Tenant) else tenant,
        case_id=case.pk if case is not None else None,
        staff_id=staff.pk if staff is not None else None,
        actor_id=actor.pk if actor is not None else None,
        data=data or {},
    )


def field_changes(
    before: dict[str, list[str]] | None, after: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """Which keys of a raw draft changed, with values only for `VALUES_SHOWN` fields."""
    before = before or {}
    changes = []
    for key in sorted(set(before) | set(after)):
        if key.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")):
            continue
        old, new = _value(before.get(key)), _value(after.get(key))
        if old == new:
            continue
        change: dict[str, Any] = {"name": key}
        if key.rpartition("-")[2] in VALUES_SHOWN:
            change.update(old=_shown(old), new=_shown(new))
        changes.append(change)
    return changes


def _value(values: list[str] | None) -> str:
    return ",".join(value.strip() for value in values or [] if value.strip())


def _shown(value: str) -> str:
    # A code as typed, which may not be one: no control character, nothing longer than a code.
    return search_clean(value, max_length=SHOWN_MAX_LENGTH)


def case_events(*, case: Any) -> QuerySet[Event]:
    return Event.objects.filter(case=case).select_related("actor")


def staff_events(*, tenant: Tenant) -> QuerySet[Event]:
    return Event.objects.filter(tenant=tenant, case__isnull=True).select_related("actor", "staff")
