from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onboarding.accounts.models import User
from onboarding.accounts.roles import Role
from onboarding.audit.models import Event, EventKind


@dataclass
class StaffTimelineItem:
    event: Event
    title: str
    who: str
    member: User | None
    details: list[str] = field(default_factory=list)


def staff_timeline(*, events: Iterable[Event]) -> list[StaffTimelineItem]:
    """Staff events as the timeline shows them: what, to whom, by whom, and the particulars."""
    events = list(events)
    people = _people(events)
    return [
        StaffTimelineItem(
            event=event,
            title=str(event.get_kind_display()),
            who=str(event.actor) if event.actor else _("System"),
            member=event.staff,
            details=_details(event, people),
        )
        for event in events
    ]


def _people(events: list[Event]) -> dict[int, User]:
    ids = {event.data.get("to") for event in events if event.kind == EventKind.STAFF_DEACTIVATED}
    return {user.pk: user for user in User.objects.filter(pk__in=[i for i in ids if i])}


def _role(value: str | None) -> str:
    return str(Role(value).label) if value in Role.values else "\u2013"


def _details(event: Event, people: dict[int, User]) -> list[str]:
    data = event.data
    details = []
    if event.kind == EventKind.STAFF_INVITED:
        details.append(_("As %(role)s") % {"role": _role(data.get("role"))})
    if event.kind == EventKind.STAFF_ROLE_CHANGED:
        if data.get("from") != data.get("to"):
            details.append(
                _("From %(from)s to %(to)s")
                % {"from": _role(data.get("from")), "to": _role(data.get("to"))}
            )
        if data.get("altafid_staff_uuid_changed"):
            details.append(_("Altafid staff UUID changed"))
    if event.kind == EventKind.STAFF_DEACTIVATED and data.get("handed_over"):
        count = data["handed_over"]
        details.append(
            ngettext(
                "%(count)s onboarding handed over to %(to)s",
                "%(count)s onboardings handed over to %(to)s",
                count,
            )
            % {"count": count, "to": people.get(data.get("to") or 0, "\u2013")}
        )
    return details
