"""Altafid's field errors from a refused step, placed back on the section and field of the form."""

import re
from dataclasses import dataclass, field

from onboarding.cases.mapping import TABLES, Field, leaf
from onboarding.cases.models import Section
from onboarding.cases.sections import SPECS, SectionSpec

ROW = re.compile(r"^(?P<group>\w+)\[(?P<index>\d+)\]\.(?P<rest>.+)$")
INDEX = re.compile(r"\[\d+\]")


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
    origins: dict[str, list[int | None]] | None = None,
) -> Refusal:
    """`origins`: the form row of each entry of the lists sent (`payloads.rows_origin`); without
    it, an entry's index is taken as its row's."""
    spec = SPECS[section]
    refusal = Refusal(current=current)
    for wire_name, messages in field_errors.items():
        place = _place(wire_name, spec, origins)
        refusal.errors.extend(
            Refused(str(text), place.label, place.field, place.prefix, place.index)
            for text in messages
        )
    if not field_errors and message:
        refusal.errors.append(Refused(message))
    return refusal


def _place(
    wire_name: str, spec: SectionSpec, origins: dict[str, list[int | None]] | None = None
) -> Refused:
    """Where an error belongs: a field of a row by its list and index, else a field of the form,
    by its Altafid path in the section's table (or, failing that, by a last name only one of
    the section's fields has)."""
    table = TABLES[spec.section]
    row = ROW.match(wire_name)
    group = table.group(row["group"]) if row else None
    spec_groups = {g.prefix: g for g in spec.groups}
    if row and group is not None and group.prefix in spec_groups:
        name = _form_name(row["rest"], group.fields)
        row_fields = spec_groups[group.prefix].formset.form.base_fields
        sent = int(row["index"])
        rows = origins.get(group.wire) if origins is not None else None
        index = rows[sent] if rows is not None and sent < len(rows) else sent
        if index is None:
            # An entry made from another section's data: no row of this form to mark.
            return Refused("", wire_name)
        if name in row_fields:
            label = f"{spec_groups[group.prefix].row_title} {index + 1}: {row_fields[name].label}"
            return Refused("", label, name, group.prefix, index)
    name = _form_name(wire_name, table.fields)
    form_fields = spec.form.base_fields
    if name in form_fields:
        return Refused("", str(getattr(form_fields[name], "label", name)), name)
    return Refused("", wire_name)


def _form_name(wire_name: str, fields: tuple[Field, ...]) -> str:
    path = INDEX.sub("[]", wire_name)
    exact = {field.name for field in fields if field.wire == path}
    by_leaf = {field.name for field in fields if leaf(field.wire) == leaf(path)}
    found = exact or by_leaf
    return found.pop() if len(found) == 1 else ""
