"""Altafid's field errors from a refused step, placed back on the section and field of the form."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic.alias_generators import to_snake

from onboarding.cases.models import Section
from onboarding.cases.sections import SPECS

# Wire names of the repeating groups, and the form prefix each one is typed into.
GROUPS = {
    "addresses": "addresses",
    "identityDocuments": "documents",
    "employmentHistory": "employment",
    "pepEntries": "peps",
}
# Wire fields whose form field has another name.
RENAMED = {"preferred_phone_number": "phone_number"}
ROW = re.compile(r"^(?P<group>\w+)\[(?P<index>\d+)\]\.(?P<rest>.+)$")


@dataclass(frozen=True)
class Refused:
    """One of Altafid's field errors, and where it belongs in the section's forms."""

    message: str
    label: str = ""
    field: str = ""  # the form field's name, "" when no field of ours matches
    prefix: str = ""  # the repeating group's prefix, for a field of a row
    index: int = 0  # the row, within that group

    @property
    def target(self) -> str:
        """The id of the input, for a link to it."""
        if not self.field:
            return ""
        return f"id_{self.prefix}-{self.index}-{self.field}" if self.prefix else f"id_{self.field}"


@dataclass
class Refusal:
    """Altafid's errors for a section; `current` when the section is unchanged since."""

    errors: list[Refused] = field(default_factory=list)
    current: bool = False


def refusal_for_section(
    *,
    section: Section,
    field_errors: dict[str, list[str]],
    message: str = "",
    current: bool = False,
) -> Refusal:
    spec = SPECS[section]
    refusal = Refusal(current=current)
    for wire_name, messages in field_errors.items():
        place = _place(wire_name, spec, spec.form.base_fields)
        refusal.errors.extend(
            Refused(str(text), place.label, place.field, place.prefix, place.index)
            for text in messages
        )
    if not field_errors and message:
        refusal.errors.append(Refused(message))
    return refusal


def _place(wire_name: str, spec: object, form_fields: Mapping[str, Any]) -> Refused:
    row = ROW.match(wire_name)
    groups = {group.prefix: group for group in getattr(spec, "groups", ())}
    if row and GROUPS.get(row["group"]) in groups:
        group = groups[GROUPS[row["group"]]]
        name = _form_name(row["rest"].rsplit(".", 1)[-1])
        row_fields = group.formset.form.base_fields
        if name in row_fields:
            index = int(row["index"])
            label = f"{group.row_title} {index + 1}: {row_fields[name].label}"
            return Refused("", label, name, group.prefix, index)
    name = _form_name(wire_name.rsplit(".", 1)[-1])
    if name in form_fields:
        return Refused("", str(getattr(form_fields[name], "label", name)), name)
    return Refused("", wire_name)


def _form_name(wire_name: str) -> str:
    snake = to_snake(wire_name)
    return RENAMED.get(snake, snake)
