"""What the review page and the timeline show, in plain words: labels, not codes or keys."""

import json
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from onboarding.accounts.models import Tenant, User
from onboarding.audit.models import Event, EventKind
from onboarding.cases.lifecycle import FIRST_ROUND, SECTIONS, Section, StepKind
from onboarding.cases.mapping import AMOUNT_NAMES, TABLES, Group, form_field
from onboarding.cases.sections import SPECS, BoundSection
from onboarding.core.display import shown_amount, shown_date
from onboarding.lookups.forms import LookupChoiceField, LookupMemo
from onboarding.lookups.kinds import LookupKind

# Altafid's names that a form field's label would not tell apart (one field sent under two
# names), and the lists.
_WIRE_LABELS = {
    "primaryCountryOfCitizenship": lambda: _("Country of citizenship (compliance)"),
    "phoneNumber": lambda: _("Phone number (compliance)"),
    "identityDocuments": lambda: _("Identity documents"),
    "employmentHistory": lambda: _("Employment history"),
    "pepEntries": lambda: _("Politically exposed persons"),
    "primaryEmail": lambda: _("Login e-mail"),
    "addresses:SALES": lambda: _("Addresses (sales profile)"),
    "addresses:COMPLIANCE": lambda: _("Address for compliance"),
}


def wire_label(key: str) -> str:
    """The label of an Altafid name: the label of the form field it comes from (`mapping`)."""
    if key in _WIRE_LABELS:
        return str(_WIRE_LABELS[key]())
    return field_label(form_field(key)) or key


def field_label(name: str) -> str:
    """The label of a form field, or of a row's field by its raw key ("addresses-0-city")."""
    prefix, _dash, rest = name.partition("-")
    row, _dash2, field = rest.partition("-")
    for section in SECTIONS:
        spec = SPECS[section]
        if row.isdecimal() and field:
            for group in spec.groups:
                if group.prefix == prefix and field in group.formset.form.base_fields:
                    label = group.formset.form.base_fields[field].label
                    return f"{group.row_title} {int(row) + 1}: {label}"
        elif name in spec.form.base_fields:
            return str(spec.form.base_fields[name].label)
    return ""


def _choice_label(name: str, value: str) -> str:
    """A fixed choice's label ("Subscriber" for SUBSCRIBER); a tenant's lookup code as it is."""
    if not value:
        return "—"
    form_field_ = _base_field(name)
    if form_field_ is not None and not isinstance(form_field_, LookupChoiceField):
        return str(dict(getattr(form_field_, "choices", ()) or ()).get(value, value))
    return value


class BodyReader:
    """A body's values as a person reads them, for one tenant: its lookup codes and the fixed
    choices by their labels ("Chile", not CHL), rows field by field in the form's order,
    dates and amounts in the page's language. Each list is read once (one cache read)."""

    def __init__(self, tenant: Tenant) -> None:
        self.currency = tenant.currency
        self.memo = LookupMemo(tenant)
        self._labels_of: dict[int, dict[str, str]] = {}

    def _labels(self, form_field_: Any) -> dict[str, str]:
        """{code: label} of a field's choices, made once a field (a country list is long)."""
        found = self._labels_of.get(id(form_field_))
        if found is None:
            if isinstance(form_field_, LookupChoiceField):
                kind = form_field_.kind
                found = (
                    {} if kind is LookupKind.CITIES else dict(self.memo.get([kind])[kind].options)
                )
            else:
                found = {str(k): str(v) for k, v in getattr(form_field_, "choices", ()) or ()}
            self._labels_of[id(form_field_)] = found
        return found

    def value(self, key: str, value: Any) -> str:
        """The value of the body's top-level name `key`."""
        if key in AMOUNT_NAMES and value not in (None, ""):
            return shown_amount(value, currency=self.currency)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            group = _group_of(key.partition(":")[0])  # "addresses:SALES" is a list's part
            if group is not None:
                return "; ".join(self._row(group, row) for row in value)
        if isinstance(value, str) and value:
            labels = self._labels(_base_field(form_field(key)))
            return shown_date(labels.get(value, value))
        return shown_value(value)

    def _row(self, group: tuple[Group, Any], row: dict[str, Any]) -> str:
        mapped, formset = group
        parts = []
        for field in mapped.fields:
            found: Any = row
            for name in field.wire.split("."):
                found = found.get(name) if isinstance(found, dict) else None
            if found in (None, "") or isinstance(found, bool):
                continue
            form_field_ = formset.form.base_fields.get(field.name)
            parts.append(shown_date(self._labels(form_field_).get(str(found), str(found))))
        return ", ".join(parts)


def _base_field(name: str) -> Any:
    for section in SECTIONS:
        if name in SPECS[section].form.base_fields:
            return SPECS[section].form.base_fields[name]
    return None


def _group_of(wire: str) -> tuple[Group, Any] | None:
    """The mapping of a list of rows and the formset its rows are typed into."""
    for section, table in TABLES.items():
        mapped = table.group(wire)
        if mapped is not None:
            for row_group in SPECS[section].groups:
                if row_group.prefix == mapped.prefix:
                    return mapped, row_group.formset
    return None


def shown_value(value: Any) -> str:
    """A value of a body as a person reads it."""
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        if "phoneNumber" in value:
            return f"{value.get('phoneCountryCode', '')} {value['phoneNumber']}".strip()
        if "specificationData" in value:
            return shown_value(value["specificationData"])
        parts = [
            str(v) for k, v in value.items() if v not in (None, "") and not isinstance(v, bool)
        ]
        return ", ".join(parts)
    if isinstance(value, list):
        return "; ".join(shown_value(item) for item in value)
    if isinstance(value, str):
        return shown_date(value)
    return str(value)


def review_summary(*, plan: Any, case_id: int) -> list[dict[str, Any]]:
    summary = []
    for section, bound in plan.sections.items():
        assert isinstance(bound, BoundSection)
        saved = bound.form.is_bound
        summary.append(
            {
                "section": section,
                "bound": bound,
                "saved": saved,
                "blocking": _linked(bound, case_id) if saved else [],
                "parts": bound.summary() if saved else [],
            }
        )
    return summary


def _linked(bound: BoundSection, case_id: int) -> list[tuple[str, str, str]]:
    """(label, message, link) for the errors no single field of the section owns; an unmet
    completeness rule links to where it is fixed, maybe in another section."""
    links = {unmet.message: unmet.href(case_id) for unmet in bound.check().unmet}
    return [(label, message, links.get(message, "")) for label, message in bound.unplaced_errors]


def plan_calls(*, plan: Any, tenant: Tenant) -> list[dict[str, Any]]:
    def shown(name: str, value: Any) -> str:
        if name in AMOUNT_NAMES and value not in (None, ""):
            return shown_amount(value, currency=tenant.currency)
        return shown_value(value)

    return [
        {
            "call": call,
            "json": json.dumps(call.body, indent=2, ensure_ascii=False),
            "changes": [
                (
                    wire_label(change.field),
                    shown(change.field, change.old),
                    shown(change.field, change.new),
                )
                for change in call.changes
            ],
        }
        for call in plan.calls
    ]


def case_timeline(*, events: Iterable[Event]) -> list[dict[str, Any]]:
    events = list(events)
    people = _people(events)
    return [
        {
            "event": event,
            "title": _title(event),
            "who": event.actor or _("System"),
            "details": _details(event, people),
        }
        for event in events
    ]


def _people(events: list[Event]) -> dict[int, User]:
    ids = {
        event.data.get(key)
        for event in events
        if event.kind == EventKind.CASE_REASSIGNED
        for key in ("from", "to")
    }
    return {user.pk: user for user in User.objects.filter(pk__in=[i for i in ids if i])}


def _title(event: Event) -> str:
    title = str(event.get_kind_display())
    step = event.data.get("step")
    if step:
        title = f"{title}: {StepKind(step).label}"
        if event.data.get("round", FIRST_ROUND) > FIRST_ROUND:
            title += " " + _("(amendment %(n)s)") % {"n": event.data["round"] - FIRST_ROUND}
    section = event.data.get("section")
    if section:
        title = f"{title}: {Section(section).label}"
    return title


def _details(event: Event, people: dict[int, User]) -> list[str]:
    data = event.data
    details = []
    for change in data.get("fields", []):
        if isinstance(change, str):
            details.append(wire_label(change))
            continue
        label = field_label(change["name"]) or change["name"]
        if "old" in change:
            old, new = (_choice_label(change["name"], change[k]) for k in ("old", "new"))
            details.append(f"{label}: {old} → {new}")
        else:
            details.append(_("%(field)s: changed") % {"field": label})
    if data.get("amendment"):
        details.append(_("Altafid already had this section: the change is an amendment."))
    if data.get("attempt"):
        details.append(_("Try %(n)s") % {"n": data["attempt"]})
    if data.get("status") or data.get("code"):
        details.append(" ".join(str(data[k]) for k in ("status", "code") if data.get(k)))
    if data.get("retry_in") is not None:
        details.append(_("Next try in %(seconds)s s") % {"seconds": data["retry_in"]})
    if data.get("lost"):
        details.append(_("The worker running it was lost; the try counts as unanswered."))
    if event.kind == EventKind.CASE_REASSIGNED:
        before, after = people.get(data.get("from", 0)), people.get(data.get("to", 0))
        details.append(_("From %(from)s to %(to)s") % {"from": before, "to": after})
    if data.get("contact_uuid"):
        details.append(_("Altafid contact %(uuid)s") % {"uuid": data["contact_uuid"]})
    return details
