from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from onboarding.accounts.models import Tenant, User
from onboarding.accounts.roles import Role
from onboarding.accounts.services import tenants_for_user, user_role
from onboarding.cases.crypto import search_hash
from onboarding.cases.models import Case, CaseStatus, Section
from onboarding.cases.sections import (
    ORDER,
    SPECS,
    BoundSection,
    RawData,
    bind,
)
from onboarding.lookups.forms import LookupMemo


class CaseVersionConflict(Exception):
    """The case changed since the copy the user edited was loaded."""

    def __init__(self, case: Case) -> None:
        super().__init__(f"case {case.pk} is at version {case.version}")
        self.case = case


def cases_for_user(*, user: User) -> QuerySet[Case]:
    """Cases this user may open: in their tenants, and their own unless they review or admin."""
    cases = Case.objects.filter(tenant__in=tenants_for_user(user=user)).select_related(
        "tenant", "owner"
    )
    if user_role(user=user) in (Role.COMPLIANCE_OFFICER, Role.ADMIN):
        return cases
    return cases.filter(owner=user)


def cases_search(
    *, user: User, tenant: Tenant, query: str = "", status: str = ""
) -> QuerySet[Case]:
    cases = cases_for_user(user=user).filter(tenant=tenant)
    if status:
        cases = cases.filter(status=status)
    query = query.strip()
    if query:
        matches = Q(client_name__icontains=query) | Q(client_email__icontains=query)
        hashed = search_hash(query)
        if hashed:
            matches |= Q(identity_hash=hashed)
        cases = cases.filter(matches)
    return cases


@transaction.atomic
def case_create(*, tenant: Tenant, owner: User) -> Case:
    return Case.objects.create(tenant=tenant, owner=owner, updated_by=owner)


def _initial_for(
    case: Case, section: Section, memo: LookupMemo
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Section 2 and 3 start from what earlier sections hold, so nothing is typed twice."""
    if section is Section.CLIENT:
        return {}, {}
    client = case_section_bind(case=case, section=Section.CLIENT, memo=memo).check()
    earlier = dict(getattr(client.form, "cleaned_data", {}))
    if section is Section.SALES:
        names = (earlier.get("first_name"), earlier.get("paternal_last_name"))
        return {
            "segment_name": earlier.get("market_segment"),
            "display_name": " ".join(n for n in names if n),
            "country_of_citizenship": earlier.get("identity_country"),
        }, {}
    if section is Section.ACTIVATION:
        return {
            "primary_email": earlier.get("preferred_email"),
            "preferred_contact_language": earlier.get("preferred_contact_language"),
        }, {}
    sales = case_section_bind(case=case, section=Section.SALES, memo=memo).check()
    sales_data = getattr(sales.form, "cleaned_data", {})
    initial = {
        **{k: v for k, v in earlier.items() if k in SPECS[Section.COMPLIANCE].form.base_fields},
        "primary_country_of_citizenship": sales_data.get("country_of_citizenship")
        or earlier.get("identity_country"),
        **{
            k: sales_data.get(k)
            for k in ("country_of_birth", "annual_income", "liquid_net_worth", "total_net_worth")
        },
    }
    rows: dict[str, list[Any]] = {}
    primary = [row for row in sales.rows("addresses") if row.get("is_primary")]
    if primary or list(sales.rows("addresses")):
        rows["addresses"] = [(primary or list(sales.rows("addresses")))[0]]
    if earlier.get("identity_id") and earlier.get("identity_type") in ("CHILE_RUT", "PASSPORT"):
        document_type = "CHILE_RUT_CARD" if earlier["identity_type"] == "CHILE_RUT" else "PASSPORT"
        rows["documents"] = [
            {
                "specification_type": document_type,
                "identity_id": earlier["identity_id"],
                "country": earlier.get("identity_country"),
            }
        ]
    return initial, rows


def case_section_bind(
    *,
    case: Case,
    section: Section,
    raw: RawData | None = None,
    memo: LookupMemo | None = None,
) -> BoundSection:
    """The section with the data given, else its draft, else pre-filled from earlier sections."""
    memo = memo or LookupMemo(case.tenant)
    data = raw if raw is not None else case.draft(section)
    initial, rows = ({}, {}) if data is not None else _initial_for(case, section, memo)
    return bind(
        spec=SPECS[section],
        tenant=case.tenant,
        raw=data,
        initial=initial,
        initial_rows=rows,
        memo=memo,
    )


def case_sections(*, case: Case) -> dict[Section, BoundSection]:
    memo = LookupMemo(case.tenant)
    return {section: case_section_bind(case=case, section=section, memo=memo) for section in ORDER}


@dataclass(frozen=True)
class SaveResult:
    case: Case
    bound: BoundSection


def case_section_save(
    *,
    case: Case,
    section: Section,
    raw: RawData,
    version: int,
    user: User,
    resume_at: Section | None = None,
) -> SaveResult:
    """Keeps the section's data as typed, valid or not; refuses a save from an older copy.

    `resume_at` is the section the case reopens at (the one saved, unless the RM moved on).
    Saving what is already stored writes nothing, so autosave does not churn versions.
    """
    bound = case_section_bind(case=case, section=section, raw=raw).check()
    resume_at = resume_at or section
    unchanged = (
        case.draft(section) == raw
        and case.section_state(section).get("saved")
        and case.current_section == resume_at.value
    )
    if version == case.version and unchanged:
        return SaveResult(case=case, bound=bound)
    drafts = dict(cast(dict[str, Any], case.drafts or {}))
    drafts[section.value] = raw
    states = dict(case.section_states or {})
    states[section.value] = {"saved": True, "blocking": len(bound.blocking)}
    fields: dict[str, Any] = {
        "drafts": drafts,
        "section_states": states,
        "current_section": resume_at.value,
        "version": version + 1,
        "updated_at": timezone.now(),
        "updated_by": user,
    }
    if section is Section.CLIENT:
        fields.update(_plain_columns(raw))
    complete = all(
        states.get(s.value, {}).get("saved") and not states[s.value]["blocking"] for s in ORDER
    )
    fields["status"] = CaseStatus.READY if complete else CaseStatus.DRAFT
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, version=version).update(**fields)
        if not updated:
            raise CaseVersionConflict(Case.objects.get(pk=case.pk))
    case.refresh_from_db()
    return SaveResult(case=case, bound=bound)


def _plain_columns(raw: RawData) -> dict[str, str]:
    def first(name: str) -> str:
        return (raw.get(name) or [""])[0].strip()

    name = " ".join(
        part
        for part in (first("first_name"), first("paternal_last_name"), first("maternal_last_name"))
        if part
    )
    return {
        "client_name": name[:300],
        "client_email": first("preferred_email").lower()[:254],
        "identity_hash": search_hash(first("identity_id")),
    }


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
        if head != prefix or not row.isdigit() or not field:
            continue
        position = int(row)
        if position == index:
            continue
        changed[f"{prefix}-{position - 1 if position > index else position}-{field}"] = values
    return changed


def _total(raw: RawData, prefix: str) -> int:
    try:
        return int((raw.get(f"{prefix}-TOTAL_FORMS") or ["0"])[0])
    except ValueError:
        return 0
