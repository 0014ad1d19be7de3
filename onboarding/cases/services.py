import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onboarding.accounts.models import Tenant, User
from onboarding.accounts.permissions import Can, user_may, user_must, users_who_may
from onboarding.accounts.services import tenants_for_user
from onboarding.altafid.enums import IdentityType
from onboarding.audit.models import EventKind
from onboarding.audit.services import event_record, field_changes
from onboarding.cases.lifecycle import (
    CLOSED,
    IDLE_AFTER,
    IN_FLIGHT,
    SECTIONS,
    UNSENT,
    CaseStatus,
    Section,
    Worklist,
    sections_locked,
    sections_sent,
)
from onboarding.cases.locks import case_locked
from onboarding.cases.models import Case, SectionRevision
from onboarding.cases.sections import HOMES, SPECS, BoundSection, RawData, bind
from onboarding.cases.signals import draft_discarded, section_saved
from onboarding.cases.validators import RUT_BODY, rut_body
from onboarding.core.crypto import search_hash
from onboarding.core.inputs import INT_MAX
from onboarding.lookups.forms import LookupMemo


class CaseVersionConflict(Exception):
    """This section changed since the copy the user edited was loaded.

    `revision` keeps what the user sent (None for an autosave), so nothing typed is lost.
    """

    def __init__(self, case: Case, revision: SectionRevision | None = None) -> None:
        super().__init__(f"case {case.pk} is at version {case.version}")
        self.case = case
        self.revision = revision


class SectionLocked(Exception):
    """The section cannot be edited now: its data is being sent, or the case is closed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DraftRefused(Exception):
    """What was sent cannot be kept as a draft: too large, or not what a form sends."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def draft_check(raw: RawData) -> None:
    """A browser sends one value per field and drafts stay small; anything else is refused."""
    if any(len(values) > 1 for values in raw.values()):
        raise DraftRefused(_("A field was sent twice. Reload the page and save again."))
    if len(json.dumps(raw, ensure_ascii=False).encode()) > settings.DRAFT_MAX_BYTES:
        raise DraftRefused(_("This section is too large to keep. Shorten the longest entries."))


def cases_for_user(*, user: User) -> QuerySet[Case]:
    """Cases this user may open: in their tenants, and their own unless they review or admin."""
    return _cases_seen(user).exclude(status=CaseStatus.DISCARDED)


def case_discarded(*, user: User, pk: int) -> bool:
    """Whether `pk` is a draft this user could open until it was discarded (its pages then
    say so); of anyone else's cases nothing is told, not even that they exist."""
    return _cases_seen(user).filter(pk=pk, status=CaseStatus.DISCARDED).exists()


def _cases_seen(user: User) -> QuerySet[Case]:
    cases = Case.objects.filter(tenant__in=tenants_for_user(user=user)).select_related(
        "tenant", "owner"
    )
    if user_may(user=user, can=Can.SEE_EVERY_CASE):
        return cases
    return cases.filter(owner=user)


def cases_search(
    *, user: User, tenant: Tenant, query: str = "", status: str = ""
) -> QuerySet[Case]:
    # Lists show no draft: none is read, let alone decrypted.
    cases = cases_for_user(user=user).filter(tenant=tenant).defer("drafts")
    if status == Worklist.IDLE:
        cases = cases.filter(status__in=UNSENT, updated_at__lt=timezone.now() - IDLE_AFTER)
    elif status == Worklist.IN_FLIGHT:
        cases = cases.filter(status__in=IN_FLIGHT)
    elif status in CaseStatus.values:
        cases = cases.filter(status=status)
    query = query.strip()
    if query:
        matches = Q(client_name__icontains=query) | Q(client_email__icontains=query)
        hashed = search_hash(query)
        if hashed:
            matches |= Q(identity_hash=hashed)
        body = rut_body(query)
        if body:
            matches |= Q(identity_body_hash=search_hash(body, purpose=RUT_BODY))
        cases = cases.filter(matches)
    return cases


@dataclass(frozen=True)
class RowChange:
    """A row added to, removed from or brought back into one of a section's groups."""

    kind: str  # "add", "remove" or "undo"
    prefix: str
    index: int = 0


@dataclass(frozen=True)
class RemovedRow:
    """The last row removed from a section, kept (in the encrypted drafts) so that it can be
    brought back with its values until the section's next save other than an autosave."""

    prefix: str
    index: int
    values: dict[str, list[str]]


# Case.drafts holds each section's draft under its name, and the rows removed under this key.
REMOVED = "removed"


def case_removed_row(*, case: Case, section: Section) -> RemovedRow | None:
    kept = cast(dict[str, Any], case.drafts or {}).get(REMOVED, {}).get(section.value)
    return RemovedRow(**kept) if kept else None


@transaction.atomic
def case_create(*, tenant: Tenant, owner: User) -> Case:
    user_must(user=owner, can=Can.START, tenant=tenant)
    case = Case.objects.create(tenant=tenant, owner=owner, updated_by=owner)
    event_record(kind=EventKind.CASE_CREATED, tenant=tenant, actor=owner, case=case)
    return case


def case_start(
    *,
    tenant: Tenant,
    owner: User,
    raw: RawData,
    resume_at: Section | None = None,
    autosave: bool = False,
    strict: bool = False,
) -> "SaveResult | None":
    """Starts an onboarding with the first save of its Client section, in one transaction.

    An onboarding exists once something is entered in it: with nothing entered, nothing is
    created and None is returned.
    """
    user_must(user=owner, can=Can.START, tenant=tenant)
    draft_check(raw)
    if not any(value.strip() for values in raw.values() for value in values):
        return None
    with transaction.atomic():
        case = case_create(tenant=tenant, owner=owner)
        return case_section_save(
            case=case,
            section=Section.CLIENT,
            raw=raw,
            version=case.version,
            user=owner,
            resume_at=resume_at,
            autosave=autosave,
            strict=strict,
        )


def case_section_bind(
    *,
    case: Case,
    section: Section,
    raw: RawData | None = None,
    memo: LookupMemo | None = None,
    homes: dict[Section, BoundSection] | None = None,
) -> BoundSection:
    """The section with the data given, else its draft; with the sections it reads from."""
    memo = memo or LookupMemo(case.tenant)
    if homes is None:
        homes = {home: _bind(case, home, None, memo, {}) for home in HOMES[section]}
    return _bind(case, section, raw, memo, homes)


def _bind(
    case: Case,
    section: Section,
    raw: RawData | None,
    memo: LookupMemo,
    homes: dict[Section, BoundSection],
) -> BoundSection:
    data = raw if raw is not None else case.draft(section)
    return bind(spec=SPECS[section], tenant=case.tenant, raw=data, homes=homes, memo=memo)


def sections_complete(states: dict[str, Any]) -> bool:
    """Whether every section is saved with nothing that blocks it, as counted at its last save
    (and again after a rule changed: `case_counts_refresh`). Every unmet completeness rule is
    an error of its section, so a complete case meets them all."""
    return all(
        states.get(s.value, {}).get("saved") and not states[s.value].get("blocking")
        for s in SECTIONS
    )


def case_sections(*, case: Case) -> dict[Section, BoundSection]:
    """Every section, each bound once, reading its facts from the others."""
    memo = LookupMemo(case.tenant)
    bound: dict[Section, BoundSection] = {}
    for section in SECTIONS:  # homes come before the sections that read them
        homes = {home: bound[home] for home in HOMES[section]}
        bound[section] = _bind(case, section, None, memo, homes)
    return bound


def case_steps_states(*, case: Case) -> list[Any]:
    return list(case.steps.only("round", "kind", "state", "position"))


@dataclass(frozen=True)
class SaveResult:
    case: Case
    bound: BoundSection
    # Altafid already has data of this section: the change goes out as an amendment.
    sent: bool = False
    # Undo found no room for the removed row (its group is full): it stays removed, and kept.
    undo_refused: bool = False


def case_section_save(
    *,
    case: Case,
    section: Section,
    raw: RawData,
    version: int,
    user: User,
    resume_at: Section | None = None,
    autosave: bool = False,
    strict: bool = False,
    rows: RowChange | None = None,
) -> SaveResult:
    """Keeps the section's data as typed (valid values normalised), valid or not.

    `version` is the case version the user's copy was loaded at. If the case changed since
    but this section did not, the save goes on top of the latest version; if this section
    changed too, `CaseVersionConflict` is raised and (unless autosaving) what the user sent is
    kept as a refused revision. `resume_at` is the section the case reopens at; `strict`: only
    if nothing in this section is left to fix. Saving what is already stored writes nothing,
    so autosave does not churn versions.

    `rows` adds a row, removes one (kept as the section's `RemovedRow`) or brings the removed
    one back where it was. Any save but an autosave forgets the row removed before it.

    Who saves, whether the section can be edited and which version it is at are checked on
    the case as it is once its lock is held (`locks.case_locked`): a Submit, a discard, a
    reassignment or another save that got there first is seen, never written over.
    """
    user_must(user=user, can=Can.CHANGE, case=case)
    if not 1 <= version <= INT_MAX:
        # Every page carries the version it was loaded at; a save without one cannot be
        # told apart from a save over someone else's changes.
        raise DraftRefused(
            _(
                "Not saved: this page did not say which version of the onboarding it was "
                "edited from. Your entries are below: check them and save again."
            )
        )
    draft_check(raw)
    # Binding may fetch the tenant's lists from Altafid: it is done before the lock, and
    # again under it (with the lists already read) only if the case changed meanwhile.
    memo = LookupMemo(case.tenant)
    typed = _typed(case, section, raw, rows, autosave, memo)
    with case_locked(case=case):
        user_must(user=user, can=Can.CHANGE, case=case)
        steps = case_steps_states(case=case)
        section_check_editable(case=case, section=section, steps=steps)
        if typed.version != case.version:
            typed = _typed(case, section, raw, rows, autosave, memo)
        before = case.draft(section)
        # A save from an older copy that sends what is stored now changes nothing: no conflict.
        if not (
            version != case.version
            and _changed_since(case, section, version)
            and typed.raw != before
        ):
            return _save_typed(case, section, typed, user, resume_at, strict, steps)
        # Kept (committed) even though the save is refused, so that nothing typed is lost.
        revision = None if autosave else _revision_refused(case, section, typed.raw, version, user)
    raise CaseVersionConflict(case, revision)


@dataclass(frozen=True)
class _Typed:
    """What a save sends, bound against the case at `version`: its data (with the row change
    made and valid values normalised), and the removed row kept before and after it."""

    version: int
    raw: RawData
    bound: BoundSection
    kept: RemovedRow | None
    removed: RemovedRow | None
    undo_refused: bool


def _typed(
    case: Case,
    section: Section,
    raw: RawData,
    rows: RowChange | None,
    autosave: bool,
    memo: LookupMemo,
) -> _Typed:
    kept = case_removed_row(case=case, section=section)
    raw, removed, undo_refused = _rows_change(section, raw, rows, kept)
    if autosave:
        removed = kept
    bound = case_section_bind(case=case, section=section, raw=raw, memo=memo).check()
    raw = {**raw, **{key: [value] for key, value in bound.normalised.items()}}
    return _Typed(case.version, raw, bound, kept, removed, undo_refused)


def _save_typed(
    case: Case,
    section: Section,
    typed: _Typed,
    user: User,
    resume_at: Section | None,
    strict: bool,
    steps: list[Any],
) -> SaveResult:
    """Stores a save checked under the case's lock (`case_section_save`)."""
    if resume_at is None or (strict and typed.bound.blocking):
        resume_at = section
    unchanged = case.draft(section) == typed.raw and typed.removed == typed.kept
    if unchanged and case.section_state(section).get("saved"):
        if case.current_section != resume_at.value:
            Case.objects.filter(pk=case.pk).update(current_section=resume_at.value)
            case.current_section = resume_at.value
        return SaveResult(
            case=case,
            bound=typed.bound,
            sent=section in sections_sent(steps),
            undo_refused=typed.undo_refused,
        )
    result = _store(
        case,
        section,
        typed.raw,
        typed.bound,
        user,
        resume_at,
        steps,
        base=case.version,
        removed=typed.removed,
    )
    section_saved.send(sender=Case, case=result.case, section=section, actor=user)
    return SaveResult(
        case=result.case, bound=result.bound, sent=result.sent, undo_refused=typed.undo_refused
    )


def _rows_change(
    section: Section, raw: RawData, change: RowChange | None, kept: RemovedRow | None
) -> tuple[RawData, RemovedRow | None, bool]:
    """The data with the row change made; the removed row to keep after it; whether an undo
    found no room."""
    groups = {group.prefix: group for group in SPECS[section].groups}
    group = groups.get(change.prefix) if change else None
    if change is None or group is None:
        return raw, None, False
    max_rows = group.formset.max_num or 1
    total = _total(raw, change.prefix)
    if change.kind == "add":
        return rows_add(raw, change.prefix, max_rows), None, False
    if change.kind == "remove" and 0 <= change.index < total:
        values = row_values(raw, change.prefix, change.index)
        removed = RemovedRow(change.prefix, change.index, values)
        return rows_remove(raw, change.prefix, change.index), removed, False
    if change.kind == "undo" and kept is not None and kept.prefix == change.prefix:
        if total >= max_rows:
            return raw, kept, True
        return rows_insert(raw, kept.prefix, kept.index, kept.values), None, False
    return raw, None, False


def _store(
    case: Case,
    section: Section,
    raw: RawData,
    bound: BoundSection,
    user: User,
    resume_at: Section,
    steps: list[Any],
    *,
    base: int,
    event: EventKind = EventKind.SECTION_SAVED,
    removed: RemovedRow | None = None,
) -> SaveResult:
    new_version = base + 1
    before = case.draft(section)
    drafts = dict(cast(dict[str, Any], case.drafts or {}))
    drafts[section.value] = raw
    kept = {name: row for name, row in drafts.pop(REMOVED, {}).items() if name != section.value}
    if removed is not None:
        kept[section.value] = asdict(removed)
    if kept:
        drafts[REMOVED] = kept
    states = dict(case.section_states or {})
    states[section.value] = {
        "saved": True,
        "blocking": len(bound.blocking),
        "filled": bound.filled,
        "version": new_version if before != raw else case.section_state(section).get("version", 0),
    }
    _dependents_recount(case, section, drafts, states)
    sent = section in sections_sent(steps) and before != raw
    fields: dict[str, Any] = {
        "drafts": drafts,
        "section_states": states,
        "current_section": resume_at.value,
        "version": new_version,
        "updated_at": timezone.now(),
        "updated_by": user,
        "unsent_changes": case.unsent_changes or sent,
    }
    if section is Section.CLIENT:
        fields.update(_plain_columns(bound))
    if case.status in UNSENT:
        fields["status"] = CaseStatus.READY if sections_complete(states) else CaseStatus.DRAFT
    elif sent and case.status in (CaseStatus.IN_ALTAFID, CaseStatus.ACTIVATED):
        fields["status"] = CaseStatus.AMENDING
    with transaction.atomic():
        updated = (
            Case.objects.filter(pk=case.pk, version=base)
            .exclude(status__in=CLOSED)
            .update(**fields)
        )
        if not updated:
            latest = Case.objects.get(pk=case.pk)
            section_check_editable(case=latest, section=section, steps=steps)
            raise CaseVersionConflict(latest)
        if before != raw:
            SectionRevision.objects.create(
                case=case, section=section, case_version=new_version, raw=raw, saved_by=user
            )
            event_record(
                kind=event,
                tenant=case.tenant_id,
                actor=user,
                case=case,
                data={
                    "section": section.value,
                    "version": new_version,
                    "fields": field_changes(before, raw),
                    "amendment": sent,
                },
            )
    case.refresh_from_db()
    return SaveResult(case=case, bound=bound, sent=section in sections_sent(steps))


def case_counts_refresh(*, case: Case) -> bool:
    """Counts again what blocks each saved section, and whether a never-submitted case is
    ready, as the rules say now (after a rule was added); True if anything changed. Writes
    only if the case did not change meanwhile (its version), and bumps no version."""
    sections = case_sections(case=case)
    states = dict(case.section_states or {})
    for section, bound in sections.items():
        if states.get(section.value, {}).get("saved"):
            states[section.value] = {**states[section.value], "blocking": len(bound.blocking)}
    fields: dict[str, Any] = {"section_states": states}
    if case.status in UNSENT:
        fields["status"] = CaseStatus.READY if sections_complete(states) else CaseStatus.DRAFT
    if states == (case.section_states or {}) and fields.get("status", case.status) == case.status:
        return False
    return bool(Case.objects.filter(pk=case.pk, version=case.version).update(**fields))


def _dependents_recount(
    case: Case, section: Section, drafts: dict[str, Any], states: dict[str, Any]
) -> None:
    """Sections whose own rules read this one: their counts of what blocks them follow."""
    dependents = [
        s for s in SECTIONS if section in HOMES[s] and states.get(s.value, {}).get("saved")
    ]
    if not dependents:
        return
    future = Case(pk=case.pk, tenant=case.tenant, drafts=drafts)
    memo = LookupMemo(case.tenant)
    for dependent in dependents:
        bound = case_section_bind(case=future, section=dependent, memo=memo).check()
        states[dependent.value] = {**states[dependent.value], "blocking": len(bound.blocking)}


def section_check_editable(*, case: Case, section: Section, steps: list[Any]) -> None:
    if case.erased_at is not None:
        raise SectionLocked(_("This client's data was erased; nothing in it can be changed."))
    if case.status in CLOSED:
        raise SectionLocked(_("This onboarding is closed; nothing in it can be changed."))
    if section in sections_locked(steps):
        raise SectionLocked(
            _(
                "Altafid is being sent this section's data. You can edit it again once the "
                "steps on the submission page have finished."
            )
        )


def _changed_since(case: Case, section: Section, version: int) -> bool:
    state = case.section_state(section)
    if not state.get("saved"):
        return False
    # Drafts saved before versions were kept per section: any newer case version counts.
    return int(state.get("version", case.version)) > version


def _revision_refused(
    case: Case, section: Section, raw: RawData, version: int, user: User
) -> SectionRevision:
    return SectionRevision.objects.create(
        case=case, section=section, case_version=version, raw=raw, applied=False, saved_by=user
    )


@dataclass(frozen=True)
class ConflictChange:
    name: str
    by: list[User]
    at: Any


@dataclass(frozen=True)
class Conflict:
    """A refused save: what the others changed since the user's copy, and what the user did."""

    revision: SectionRevision
    theirs: list[str]
    mine: list[str]
    by: list[User]
    last_at: Any


def _base_draft(case: Case, section: Section, version: int) -> RawData:
    base = (
        SectionRevision.objects.filter(
            case=case, section=section, applied=True, case_version__lte=version
        )
        .order_by("-case_version", "-id")
        .first()
    )
    return cast(RawData, base.raw) if base is not None else {}


def case_conflict(*, case: Case, section: Section, revision_id: int, user: User) -> Conflict | None:
    """The refused save `revision_id` of this user, explained; None if there is no such one."""
    revision = SectionRevision.objects.filter(
        pk=revision_id, case=case, section=section, applied=False, saved_by=user
    ).first()
    if revision is None:
        return None
    base = _base_draft(case, section, revision.case_version)
    latest = case.draft(section) or {}
    later = (
        SectionRevision.objects.filter(
            case=case, section=section, applied=True, case_version__gt=revision.case_version
        )
        .select_related("saved_by")
        .order_by("case_version")
    )
    savers: list[User] = []
    for saved in later:
        if saved.saved_by not in savers:
            savers.append(saved.saved_by)
    return Conflict(
        revision=revision,
        theirs=[change["name"] for change in field_changes(base, latest)],
        mine=[change["name"] for change in field_changes(base, cast(RawData, revision.raw))],
        by=savers,
        last_at=case.updated_at,
    )


def case_conflict_apply(
    *, case: Case, section: Section, revision_id: int, user: User
) -> SaveResult:
    """Applies the user's refused entries on top of the latest version of the section.

    Only what the user changed from the copy they started from is applied; what others
    changed meanwhile and the user did not touch stays. Checked, as a save is, on the case
    as it is once its lock is held.
    """
    user_must(user=user, can=Can.CHANGE, case=case)
    memo = LookupMemo(case.tenant)
    merged = _merged(case, section, revision_id, user, memo)
    with case_locked(case=case):
        user_must(user=user, can=Can.CHANGE, case=case)
        steps = case_steps_states(case=case)
        section_check_editable(case=case, section=section, steps=steps)
        if merged.version != case.version:
            merged = _merged(case, section, revision_id, user, memo)
        return _store(
            case,
            section,
            merged.raw,
            merged.bound,
            user,
            section,
            steps,
            base=case.version,
            event=EventKind.CONFLICT_APPLIED,
        )


def _merged(case: Case, section: Section, revision_id: int, user: User, memo: LookupMemo) -> _Typed:
    """The user's refused entries merged into the section as the case at its version has it."""
    conflict = case_conflict(case=case, section=section, revision_id=revision_id, user=user)
    if conflict is None:
        raise SectionLocked(_("There is no refused save to apply any more."))
    mine = cast(RawData, conflict.revision.raw)
    base = _base_draft(case, section, conflict.revision.case_version)
    merged = dict(case.draft(section) or {})
    for key in {*mine, *base}:
        if mine.get(key) == base.get(key):
            continue
        if key in mine:
            merged[key] = mine[key]
        else:
            merged.pop(key, None)
    bound = case_section_bind(case=case, section=section, raw=merged, memo=memo).check()
    merged = {**merged, **{key: [value] for key, value in bound.normalised.items()}}
    return _Typed(case.version, merged, bound, None, None, False)


def _plain_columns(bound: BoundSection) -> dict[str, str]:
    """The client section's plain columns, from its validated, normalised values only."""
    form = bound.form
    errors = form.errors  # cleans the form if nothing did yet
    cleaned = getattr(form, "cleaned_data", {})

    def valid(name: str) -> str:
        return str(cleaned.get(name) or "").strip() if name not in errors else ""

    name = " ".join(
        part
        for part in (valid("first_name"), valid("paternal_last_name"), valid("maternal_last_name"))
        if part
    )
    identity = bound.normalised.get("identity_id") or valid("identity_id")
    rut = identity if valid("identity_type") == IdentityType.CHILE_RUT else ""
    return {
        "client_name": name[:300],
        "client_email": valid("preferred_email").lower()[:254],
        "identity_hash": search_hash(identity),
        "identity_body_hash": rut_body_hash(rut),
    }


def rut_body_hash(rut: str) -> str:
    """The keyed hash of a valid RUT's digits before its check digit ("12345678-5")."""
    body, dash, _digit = rut.rpartition("-")
    return search_hash(body, purpose=RUT_BODY) if dash and body.isdigit() else ""


@dataclass(frozen=True)
class OtherOnboarding:
    """Another onboarding of the same client. `visible`: the viewer may open it; otherwise
    a page names only its owner, nothing about the client."""

    case: Case
    visible: bool


def case_duplicates_local(*, case: Case, user: User) -> list[OtherOnboarding]:
    """Other cases of the tenant for the same identity number or e-mail."""
    matches = Q()
    if case.identity_hash:
        matches |= Q(identity_hash=case.identity_hash)
    if case.client_email:
        matches |= Q(client_email=case.client_email)
    if not matches:
        return []
    others = list(
        Case.objects.filter(matches, tenant_id=case.tenant_id)
        .exclude(pk=case.pk)
        .exclude(status=CaseStatus.DISCARDED)
        .select_related("owner")
        .order_by("-updated_at")[:10]
    )
    visible = cases_visible(user=user, cases=others)
    return [OtherOnboarding(other, other.pk in visible) for other in others]


def cases_visible(*, user: User, cases: Iterable[Case]) -> set[int]:
    """Which of these cases the user may open (`cases_for_user`)."""
    ids = [case.pk for case in cases]
    return set(cases_for_user(user=user).filter(pk__in=ids).values_list("pk", flat=True))


def contact_holders(
    *, tenant_id: int, contact_uuids: Iterable[str], excluding: int | None = None
) -> dict[str, Case]:
    """The onboardings of the tenant that hold these Altafid contacts, by contact: open or
    activated ones (not cancelled, not discarded). Nobody else may link a case to them."""
    uuids = [uuid for uuid in contact_uuids if uuid]
    if not uuids:
        return {}
    holders = (
        Case.objects.filter(tenant_id=tenant_id, contact_uuid__in=uuids)
        .exclude(status__in=CLOSED)
        .select_related("owner")
        .only("id", "contact_uuid", "status", "owner")
    )
    if excluding is not None:
        holders = holders.exclude(pk=excluding)
    return {case.contact_uuid: case for case in holders}


def case_discard(*, case: Case, user: User) -> None:
    """Discards a draft never submitted: it leaves every list, and what was typed is erased.

    The audit trail keeps that it existed and who discarded it, nothing about the client.
    """
    with case_locked(case=case):
        user_must(user=user, can=Can.CHANGE, case=case)
        if case.status not in UNSENT or case.steps.exists():
            raise SectionLocked(_("Only a draft that was never submitted can be discarded."))
        case.revisions.all().delete()
        Case.objects.filter(pk=case.pk).update(
            status=CaseStatus.DISCARDED,
            drafts={},
            client_name="",
            client_email="",
            identity_hash="",
            identity_body_hash="",
            version=case.version + 1,
            updated_at=timezone.now(),
            updated_by=user,
        )
        draft_discarded.send(sender=Case, case=case)
        event_record(kind=EventKind.CASE_DISCARDED, tenant=case.tenant_id, actor=user, case=case)


def case_owner_candidates(*, case: Case) -> QuerySet[User]:
    """The relationship managers a case may be given to: active, in the case's tenant."""
    return users_who_may(can=Can.CHANGE, tenant=case.tenant_id).order_by(
        "first_name", "last_name", "email"
    )


def case_reassign(*, case: Case, user: User, owner: User) -> None:
    with case_locked(case=case):
        user_must(user=user, can=Can.REASSIGN, case=case)
        if not case_owner_candidates(case=case).filter(pk=owner.pk).exists():
            raise SectionLocked(_("Choose an active relationship manager of this tenant."))
        if owner.pk == case.owner_id:
            return
        previous = case.owner_id
        Case.objects.filter(pk=case.pk).update(owner=owner, updated_at=timezone.now())
        event_record(
            kind=EventKind.CASE_REASSIGNED,
            tenant=case.tenant_id,
            actor=user,
            case=case,
            data={"from": previous, "to": owner.pk},
        )


def cases_open_of(*, owner: User, tenant: Tenant) -> QuerySet[Case]:
    """The cases someone still answers for in a tenant: every one not cancelled or discarded."""
    return Case.objects.filter(owner=owner, tenant=tenant).exclude(status__in=CLOSED)


def cases_hand_over(*, tenant: Tenant, user: User, from_owner: User, to_owner: User) -> int:
    """Gives every open case of `from_owner` in `tenant` to `to_owner`; one event per case."""
    with transaction.atomic():
        # In one order, as two hand-overs lock the same cases (`locks`: the case rows first).
        cases = list(
            cases_open_of(owner=from_owner, tenant=tenant)
            .select_for_update(no_key=True, of=("self",))
            .order_by("pk")
        )
        for case in cases:
            user_must(user=user, can=Can.REASSIGN, case=case)
            if not case_owner_candidates(case=case).filter(pk=to_owner.pk).exists():
                raise SectionLocked(_("Choose an active relationship manager of this tenant."))
        now = timezone.now()
        Case.objects.filter(pk__in=[case.pk for case in cases]).update(
            owner=to_owner, updated_at=now
        )
        for case in cases:
            event_record(
                kind=EventKind.CASE_REASSIGNED,
                tenant=case.tenant_id,
                actor=user,
                case=case,
                data={"from": from_owner.pk, "to": to_owner.pk},
            )
    return len(cases)


def rows_add(raw: RawData, prefix: str, max_rows: int) -> RawData:
    """The same data with one more (empty) row in group `prefix`."""
    total = _total(raw, prefix)
    changed = dict(raw)
    changed[f"{prefix}-TOTAL_FORMS"] = [str(min(total + 1, max_rows))]
    changed.setdefault(f"{prefix}-INITIAL_FORMS", ["0"])
    return changed


def rows_remove(raw: RawData, prefix: str, index: int) -> RawData:
    """The same data without row `index` of group `prefix`; later rows move up."""
    total = _total(raw, prefix)
    if not 0 <= index < total:
        return raw
    changed = {k: v for k, v in raw.items() if not k.startswith(f"{prefix}-")}
    changed[f"{prefix}-TOTAL_FORMS"] = [str(total - 1)]
    changed[f"{prefix}-INITIAL_FORMS"] = ["0"]
    for key, values in raw.items():
        head, _dash, name = key.partition("-")
        row, _dash2, field = name.partition("-")
        if head != prefix or not row.isdecimal() or not field:
            continue
        position = int(row)
        if position == index:
            continue
        changed[f"{prefix}-{position - 1 if position > index else position}-{field}"] = values
    return changed


def row_values(raw: RawData, prefix: str, index: int) -> RawData:
    """Row `index` of group `prefix`: its fields by their names within the row."""
    start = f"{prefix}-{index}-"
    return {key[len(start) :]: values for key, values in raw.items() if key.startswith(start)}


def rows_insert(raw: RawData, prefix: str, index: int, values: RawData) -> RawData:
    """The same data with a row of `values` at `index` of group `prefix` (or last, if the
    group has fewer rows now); the rows from there on move down."""
    total = _total(raw, prefix)
    index = max(0, min(index, total))
    changed = {k: v for k, v in raw.items() if not k.startswith(f"{prefix}-")}
    changed[f"{prefix}-TOTAL_FORMS"] = [str(total + 1)]
    changed[f"{prefix}-INITIAL_FORMS"] = ["0"]
    for key, kept in raw.items():
        head, _dash, name = key.partition("-")
        row, _dash2, field = name.partition("-")
        if head != prefix or not row.isdecimal() or not field:
            continue
        position = int(row)
        changed[f"{prefix}-{position + 1 if position >= index else position}-{field}"] = kept
    for field, kept in values.items():
        changed[f"{prefix}-{index}-{field}"] = kept
    return changed


def _total(raw: RawData, prefix: str) -> int:
    try:
        return int((raw.get(f"{prefix}-TOTAL_FORMS") or ["0"])[0])
    except ValueError:
        return 0
