"""The admins' failure queue: what failed, what kind of failure it is, and what they do about it.

Every action checks on the server that the person is an admin of the case's tenant
(`accounts.permissions`, `Can.OPERATE`) and leaves an event with its actor.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onboarding.accounts.models import Tenant, User
from onboarding.accounts.permissions import Can, user_must
from onboarding.altafid.client import client_for_tenant
from onboarding.altafid.contacts import ContactFilter, contact_search
from onboarding.altafid.errors import AltafidError
from onboarding.audit.models import EventKind
from onboarding.audit.services import event_record
from onboarding.cases.lifecycle import STOPPED, StepKind, StepState, Stop
from onboarding.cases.locks import case_lock
from onboarding.cases.models import Case, DuplicateDecision
from onboarding.operations.models import Resolution
from onboarding.submissions.models import ACTIVE, Step
from onboarding.submissions.queueing import queue_or_hold
from onboarding.submissions.reads import RETRY_ERROR, step_stop
from onboarding.submissions.services import ContactHeld, contact_hold_check, submission_cancel
from onboarding.submissions.status import case_status_refresh
from onboarding.submissions.worker import POSSIBLE_DUPLICATE, UNANSWERED_CREATE


class FailureKind:
    FIX_DATA = "fix_data"
    RETRY = "retry"
    DECISION = "decision"

    LABELS = {
        FIX_DATA: gettext_lazy("Fix data"),
        RETRY: gettext_lazy("Transient or platform: retry"),
        DECISION: gettext_lazy("Needs a decision"),
    }
    HINTS = {
        FIX_DATA: gettext_lazy(
            "Altafid refused a value. The case is back with its relationship manager, "
            "with Altafid's errors next to the fields."
        ),
        RETRY: gettext_lazy(
            "Altafid was unavailable or failed on its side until the tries ran out. "
            "Retry once it is back."
        ),
        DECISION: gettext_lazy(
            "A create may have reached Altafid without an answer, or Altafid already has "
            "someone like this client. Choose the contact, or confirm a new one."
        ),
    }


class ActionRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def failure_kind(step: Step) -> str:
    """How a stopped step is put right: fix the data, retry, or decide about a contact
    (`submissions.reads.step_stop`, grouped as the queue shows it)."""
    stop = step_stop(step)
    if stop == Stop.FIX_DATA:
        return FailureKind.FIX_DATA
    if stop == Stop.RETRY:
        return FailureKind.RETRY
    return FailureKind.DECISION


def failures_of_tenant(
    *, tenant: Tenant, query: str = "", kind: str = "", step_kind: str = "", sort: str = ""
) -> QuerySet[Step]:
    """Failed and needs-attention steps of the tenant not marked resolved since they failed."""
    resolved = Resolution.objects.filter(step=OuterRef("pk"), failed_at=OuterRef("finished_at"))
    steps = _failure_rows().filter(case__tenant=tenant, state__in=STOPPED).exclude(Exists(resolved))
    if step_kind in StepKind.values:
        steps = steps.filter(kind=step_kind)
    if kind == FailureKind.DECISION:
        steps = steps.filter(state=StepState.NEEDS_ATTENTION)
    elif kind in (FailureKind.RETRY, FailureKind.FIX_DATA):
        # The same rule as failure_kind, in the database.
        steps = steps.filter(state=StepState.FAILED)
        steps = (
            steps.filter(RETRY_ERROR) if kind == FailureKind.RETRY else steps.exclude(RETRY_ERROR)
        )
    query = query.strip()
    if query:
        steps = steps.filter(
            Q(case__client_name__icontains=query)
            | Q(case__owner__email__icontains=query)
            | Q(last_error__code__icontains=query)
        )
    order = {
        "oldest": ("queued_at", "id"),
        "client": ("case__client_name", "id"),
        "step": ("position", "id"),
    }.get(sort, (F("finished_at").desc(nulls_last=True), "-id"))
    return steps.order_by(*order)


def _failure_rows() -> QuerySet[Step]:
    return Step.objects.select_related("case", "case__owner").defer("payload", "case__drafts")


def failures_by_id(*, ids: list[int]) -> list[Step]:
    """The rows of failures whose IDs a `failures_of_tenant` query gave, in that order: a
    page (or a chunk of the export) is fetched by its IDs, not by running the filter again."""
    found = _failure_rows().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def failure_kind_counts(*, tenant: Tenant) -> dict[str, int]:
    """How many failures of each kind the tenant's queue holds (`failures_of_tenant` with
    each `kind`), counted in one pass."""
    failed = Q(state=StepState.FAILED)
    counts = (
        failures_of_tenant(tenant=tenant)
        .order_by()
        .aggregate(
            decision=Count("id", filter=Q(state=StepState.NEEDS_ATTENTION)),
            retry=Count("id", filter=failed & RETRY_ERROR),
            fix_data=Count("id", filter=failed & ~RETRY_ERROR),
        )
    )
    return {
        FailureKind.DECISION: counts["decision"],
        FailureKind.RETRY: counts["retry"],
        FailureKind.FIX_DATA: counts["fix_data"],
    }


def failure_counts(*, tenant: Tenant) -> list[tuple[str, str, int]]:
    """How many steps of the tenant are under way, stopped or held, in each state, per step
    kind (for the queue's head). Steps waiting their turn or cancelled are left out: they
    pile up with the years, and counting them read every one at each page view."""
    rows = (
        Step.objects.filter(case__tenant=tenant, state__in=ACTIVE)
        .values("kind", "state")
        .annotate(count=Count("*"))
        .order_by("kind", "state")
    )
    return [(row["kind"], row["state"], row["count"]) for row in rows]


def _stopped_locked(step: Step) -> Step:
    case_lock(case_id=step.case_id)
    locked = (
        Step.objects.select_for_update(of=("self",))
        .select_related("case", "case__tenant")
        .get(pk=step.pk)
    )
    if locked.state not in STOPPED:
        raise ActionRefused(_("This step is not failed any more: the page was out of date."))
    return locked


def failure_retry(*, step: Step, user: User) -> None:
    """Queues a failed step again at once, with a fresh count of tries."""
    with transaction.atomic():
        step = _stopped_locked(step)
        user_must(user=user, can=Can.OPERATE, case=step.case)
        queued = queue_or_hold(step, actor=user)
        event_record(
            kind=EventKind.FAILURE_RETRIED,
            tenant=step.case.tenant_id,
            actor=user,
            case=step.case,
            data={"step": step.kind, "round": step.round, "held_for_review": not queued},
        )
        case_status_refresh(case_id=step.case_id)


def failure_cancel(*, step: Step, user: User) -> None:
    """Cancels the submission of a step the page showed stopped, if it still is: one retried
    (or settled) meanwhile is on its way again, and cancelling it was not what was seen."""
    with transaction.atomic():
        step = _stopped_locked(step)
        user_must(user=user, can=Can.OPERATE, case=step.case)
        submission_cancel(case=step.case, user=user)


def failure_resolve(*, step: Step, user: User, note: str) -> None:
    """Takes the failure out of the queue with a note; the step itself stays as it is."""
    if not note.strip():
        raise ActionRefused(_("Say in a note how it was resolved."))
    with transaction.atomic():
        step = _stopped_locked(step)
        user_must(user=user, can=Can.OPERATE, case=step.case)
        Resolution.objects.create(step=step, by=user, failed_at=step.finished_at, note=note)
        event_record(
            kind=EventKind.FAILURE_RESOLVED,
            tenant=step.case.tenant_id,
            actor=user,
            case=step.case,
            data={"step": step.kind, "round": step.round},
        )


@dataclass(frozen=True)
class Candidate:
    contact_uuid: str
    name: str
    email: str


def failure_candidates(*, step: Step) -> list[Candidate]:
    """The contacts the stopped create found, as Altafid describes them now."""
    uuids = [str(uuid) for uuid in (step.last_error or {}).get("candidates") or []]
    if not uuids:
        return []
    described: dict[str, Candidate] = {}
    try:
        page = contact_search(
            client_for_tenant(step.case.tenant.altafid_uuid),
            filters=[ContactFilter(field="contactUuid", operator="in", values=uuids)],
            size=len(uuids),
        )
    except AltafidError:
        page = None
    for contact in page.content if page else []:
        name = " ".join(
            part
            for part in (
                contact.first_name,
                contact.paternal_last_name,
                contact.maternal_last_name,
            )
            if part
        )
        described[contact.contact_uuid] = Candidate(
            contact.contact_uuid, name, contact.preferred_email or contact.primary_email or ""
        )
    return [described.get(uuid, Candidate(uuid, "", "")) for uuid in uuids]


def failure_decide(*, step: Step, user: User, contact_uuid: str | None) -> None:
    """Settles a stopped create: it is this contact (adopted), or none of them (create)."""
    with transaction.atomic():
        step = _stopped_locked(step)
        user_must(user=user, can=Can.OPERATE, case=step.case)
        code = (step.last_error or {}).get("code")
        if step.kind != StepKind.CREATE or code not in (POSSIBLE_DUPLICATE, UNANSWERED_CREATE):
            raise ActionRefused(_("Only a create that stopped for a decision can be settled."))
        candidates = [str(uuid) for uuid in (step.last_error or {}).get("candidates") or []]
        if contact_uuid is not None and contact_uuid not in candidates:
            raise ActionRefused(_("Choose one of the contacts found."))
        if contact_uuid is not None:
            try:
                contact_hold_check(case=step.case, contact_uuid=contact_uuid)
            except ContactHeld as held:
                raise ActionRefused(held.message) from None
        if contact_uuid is not None:
            Case.objects.filter(pk=step.case_id).update(
                contact_uuid=contact_uuid, duplicate_decision=DuplicateDecision.LINKED
            )
        else:
            Case.objects.filter(pk=step.case_id).update(
                duplicate_decision=DuplicateDecision.NEW_CONTACT
            )
            Step.objects.filter(pk=step.pk).update(reconciled=True)
            step.reconciled = True
        event_record(
            kind=EventKind.FAILURE_DECIDED,
            tenant=step.case.tenant_id,
            actor=user,
            case=step.case,
            data={
                "contact_uuid": contact_uuid or "",
                "decision": "link" if contact_uuid else "new",
            },
        )
        step.case.refresh_from_db(fields=["contact_uuid", "duplicate_decision"])
        queue_or_hold(step, actor=user)
        case_status_refresh(case_id=step.case_id)
