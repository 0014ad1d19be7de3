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


@dataclass
class Refusal:
    """(form field id or "", label, message) for each error, in the order Altafid gave them."""

    errors: list[tuple[str, str, str]] = field(default_factory=list)


def refusal_for_section(
    *, section: Section, field_errors: dict[str, list[str]], message: str = ""
) -> Refusal:
    spec = SPECS[section]
    form_fields = spec.form.base_fields
    refusal = Refusal()
    for wire_name, messages in field_errors.items():
        target, label = _place(wire_name, spec, form_fields)
        refusal.errors.extend((target, label, str(text)) for text in messages)
    if not field_errors and message:
        refusal.errors.append(("", "", message))
    return refusal


def _place(wire_name: str, spec: object, form_fields: Mapping[str, Any]) -> tuple[str, str]:
    row = ROW.match(wire_name)
    groups = {group.prefix: group for group in getattr(spec, "groups", ())}
    if row and GROUPS.get(row["group"]) in groups:
        group = groups[GROUPS[row["group"]]]
        name = _form_name(row["rest"].rsplit(".", 1)[-1])
        row_fields = group.formset.form.base_fields
        if name in row_fields:
            index = int(row["index"])
            label = f"{group.row_title} {index + 1}: {row_fields[name].label}"
            return f"id_{group.prefix}-{index}-{name}", label
    name = _form_name(wire_name.rsplit(".", 1)[-1])
    if name in form_fields:
        return f"id_{name}", str(getattr(form_fields[name], "label", name))
    return "", wire_name


def _form_name(wire_name: str) -> str:
    snake = to_snake(wire_name)
    return RENAMED.get(snake, snake)
