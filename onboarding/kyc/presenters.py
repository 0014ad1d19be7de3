"""What the review page shows: the KYC data field by field, its flags, and what changed."""

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from onboarding.cases.mapping import PLUMBING
from onboarding.cases.presenters import BodyReader, wire_label
from onboarding.kyc.flags import Flag
from onboarding.submissions.masking import SHOWN
from onboarding.submissions.plans import contact_fields

# Keys of a body that are plumbing rather than facts about the client.
HIDDEN = frozenset(plumbing.wire for plumbing in PLUMBING if "." not in plumbing.wire)


@dataclass
class Row:
    key: str
    label: str
    value: str
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Difference:
    key: str
    label: str
    old: str
    new: str


def review_rows(
    picture: dict[str, Any], flags: dict[Flag, list[str]], *, reader: BodyReader
) -> list[Row]:
    """One row per field of the KYC data, each with the labels of the flags it raises."""
    rows = [
        Row(key, wire_label(key), reader.value(key, value))
        for key, value in contact_fields(picture).items()
        if key not in HIDDEN
    ]
    by_key = {row.key: row for row in rows}
    for flag, keys in flags.items():
        for key in keys:
            if key not in by_key:
                by_key[key] = Row(key, wire_label(key), "—")
                rows.append(by_key[key])
            by_key[key].flags.append(str(flag.label))
    return rows


def body_json(body: dict[str, Any]) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False, sort_keys=True)


def differences(
    before: dict[str, Any] | None,
    after: dict[str, Any],
    *,
    values_visible: bool,
    reader: BodyReader,
) -> list[Difference]:
    """Field by field, what changed from `before` to `after` (old → new).

    Without `values_visible`, only classification codes (the masking list) show their values;
    every other change reads "changed", so personal data stays with compliance officers.
    """
    if before is None:
        return []
    old_fields, new_fields = contact_fields(before), contact_fields(after)
    found = []
    for key in sorted(set(old_fields) | set(new_fields)):
        if key in HIDDEN:
            continue
        old, new = old_fields.get(key), new_fields.get(key)
        if old == new:
            continue
        if values_visible or key in SHOWN:
            found.append(
                Difference(key, wire_label(key), reader.value(key, old), reader.value(key, new))
            )
        else:
            found.append(Difference(key, wire_label(key), _("(hidden)"), _("changed")))
    return found
