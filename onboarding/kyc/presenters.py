"""What the review page shows: the KYC data field by field, its flags, and what changed."""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from onboarding.accounts.models import StaffProfile
from onboarding.cases.lifecycle import SECTIONS, Section
from onboarding.cases.mapping import PLUMBING, TABLES
from onboarding.cases.models import Case
from onboarding.cases.presenters import BodyReader, wire_label
from onboarding.cases.sections import SPECS, RowGroup, querydict
from onboarding.documents.models import Document, DocumentKind
from onboarding.kyc.flags import Flag
from onboarding.kyc.models import DocumentCheck
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
    # The officer's note, as typed, when the page comes back with a refusal.
    note: str = ""


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


# Plumbing an update to a contact we did not create still changes: who manages the client.
MANAGER = "contactManagerEntityUuid"


def overwrites(
    held: dict[str, Any], bodies: Iterable[dict[str, Any]], *, reader: BodyReader
) -> list[Difference]:
    """What the bodies would change in a contact as Altafid holds it (`held`, a GET's
    answer): each field they send whose value differs, Altafid's value first. A field they do
    not send stays as it is, so it is not listed."""
    now = contact_fields(held)
    found: dict[str, Difference] = {}
    for body in bodies:
        for key, new in contact_fields(body).items():
            if (key in HIDDEN and key != MANAGER) or _same(now.get(key), new):
                continue
            if key == MANAGER:
                found[key] = Difference(
                    key, _("Contact manager"), _manager(now.get(key)), _manager(new)
                )
                continue
            found[key] = Difference(
                key, wire_label(key), reader.value(key, now.get(key)), reader.value(key, new)
            )
    return list(found.values())


def _manager(uuid: Any) -> str:
    """A staff member by their Altafid staff UUID, as their name when they work here."""
    if not uuid:
        return "—"
    profile = StaffProfile.objects.filter(altafid_staff_uuid=uuid).select_related("user").first()
    return f"{profile.user} ({uuid})" if profile is not None else str(uuid)


def _same(old: Any, new: Any) -> bool:
    """Whether sending `new` leaves `old` as it is: Altafid's answer carries more than a body
    sends (row UUIDs, read-only fields), and empty reads as empty whatever its type."""
    if new in (None, "", []) and old in (None, "", []):
        return True
    if isinstance(new, dict):
        return isinstance(old, dict) and all(
            _same(old.get(key), value) for key, value in new.items()
        )
    if isinstance(new, list):
        return (
            isinstance(old, list)
            and len(old) == len(new)
            and all(_same(o, n) for o, n in zip(old, new, strict=True))
        )
    return bool(old == new)


@dataclass(frozen=True)
class Note:
    """A compliance officer's note on one field of a body they returned, placed where the RM
    fixes it: a field of a section's form, or a section's group of rows."""

    key: str
    label: str
    message: str
    section: Section | None = None
    field: str = ""
    prefix: str = ""  # a group of rows, when no single field holds the value
    index: int = 0  # as Altafid's errors have it (`BoundSection.noted`): notes name no row

    @property
    def anchor(self) -> str:
        """The id of the input (or of the group's fieldset) on the section's page."""
        if self.field:
            return f"id_{self.field}"
        return f"rows-{self.prefix}" if self.prefix else ""


def notes_placed(*, fields: dict[str, str], case: Case, own: Section) -> list[Note]:
    """The officer's notes by the key of the body they were written on, each placed on the
    section and field where the RM changes that value; `own` is the section of the returned
    call, which is preferred when several sections send a value of that name."""
    return [_placed(key, text, case, own) for key, text in fields.items()]


def _placed(key: str, text: str, case: Case, own: Section) -> Note:
    name, _colon, kind = key.partition(":")
    # "addresses:SALES": the address of that kind, kept in the section of that name.
    first = next((section for section in SECTIONS if section.name == kind), own)
    hidden: Note | None = None
    for section in (first, *(section for section in SECTIONS if section is not first)):
        table = TABLES[section]
        field = next((f.name for f in table.fields if f.wire == name), "")
        if field:
            return Note(key, wire_label(key), text, section, field=field)
        group = table.group(name)
        if group is None:
            continue
        rows = next(g for g in SPECS[section].groups if g.prefix == group.prefix)
        if _rows_shown(case, section, rows):
            return Note(key, wire_label(key), text, section, prefix=rows.prefix)
        if hidden is None and rows.only_when:
            # Rows a choice hides: the choice is where the RM goes, unless another section
            # holds the value.
            hidden = Note(key, wire_label(key), text, section, field=rows.only_when[0])
    return hidden or Note(key, wire_label(key), text)


def _rows_shown(case: Case, section: Section, rows: RowGroup) -> bool:
    """`BoundSection.group_shown`, read from the draft without binding the section."""
    if rows.only_when is None:
        return True
    name, value = rows.only_when
    widget = SPECS[section].form.base_fields[name].widget
    chosen = widget.value_from_datadict(querydict(case.draft(section) or {}), {}, name)
    return str(chosen or "") == value


# The KYC data each kind of document proves, by the top-level name of a body's key.
PROVES: dict[str, tuple[str, ...]] = {
    DocumentKind.IDENTITY: (
        "firstName",
        "middleName",
        "paternalLastName",
        "maternalLastName",
        "dateOfBirth",
        "identityType",
        "identityId",
        "identityCountry",
        "identityDocuments",
        "countryOfCitizenship",
    ),
    DocumentKind.ADDRESS: ("addresses",),
    DocumentKind.WEALTH: (
        "annualIncome",
        "liquidNetWorth",
        "totalNetWorth",
        "employmentStatus",
        "employerName",
        "jobPosition",
    ),
}


def _top(key: str) -> str:
    return key.partition(":")[0].partition(".")[0].partition("[")[0]


@dataclass(frozen=True)
class Shown:
    """A document as the review page shows it, with the officer's finding if any."""

    document: Document
    check: DocumentCheck | None
    pages: list[int]


@dataclass(frozen=True)
class Evidence:
    """One kind of document beside the rows of KYC data it proves."""

    kind: str
    label: str
    rows: list[Row]
    documents: list[Shown]


def evidence(
    rows: list[Row], documents: Iterable[Document], checks: dict[int, DocumentCheck]
) -> list[Evidence]:
    """The documents by kind, each kind beside the data it proves; a kind that proves data
    shows even without a document, so that the officer sees what nothing proves."""
    by_kind: dict[str, list[Shown]] = {}
    for document in documents:
        by_kind.setdefault(document.kind, []).append(
            Shown(document, checks.get(document.pk), list(range(1, document.pages + 1)))
        )
    found = []
    for kind, label in DocumentKind.choices:
        proved = PROVES.get(kind, ())
        if kind not in by_kind and not proved:
            continue
        found.append(
            Evidence(
                kind,
                str(label),
                [row for row in rows if _top(row.key) in proved],
                by_kind.get(kind, []),
            )
        )
    return found


@dataclass(frozen=True)
class DocumentChange:
    change: str  # "added", "replaced", "removed"
    label: str
    kind: str


def documents_differences(
    before: list[dict[str, str]] | None, after: list[dict[str, str]]
) -> list[DocumentChange]:
    """What changed in the case's documents from one review's record to another (or to the
    documents now): added, replaced (by a new file) and removed."""
    if before is None:
        return []
    old = {item["uid"]: item for item in before}
    new = {item["uid"]: item for item in after}
    gone = [uid for uid in old if uid not in new]
    replacements = {
        str(uid): str(by)
        for uid, by in Document.objects.filter(uid__in=gone, replaced_by__isnull=False).values_list(
            "uid", "replaced_by__uid"
        )
    }
    labels = dict(DocumentKind.choices)
    found: list[DocumentChange] = []
    replacing = set()
    for uid in gone:
        by = replacements.get(uid)
        kind = old[uid]["kind"]
        if by is not None and by in new:
            replacing.add(by)
            found.append(DocumentChange("replaced", _("Replaced"), str(labels.get(kind, kind))))
        else:
            found.append(DocumentChange("removed", _("Removed"), str(labels.get(kind, kind))))
    for uid, item in new.items():
        if uid not in old and uid not in replacing:
            kind = item["kind"]
            found.append(DocumentChange("added", _("Added"), str(labels.get(kind, kind))))
    return sorted(found, key=lambda change: (change.kind, change.change))
