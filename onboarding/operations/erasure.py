"""Erasing a client's data: on request (an admin, with a reason) or after the retention period.

What is erased: the drafts and every revision of them, the plain name, e-mail and identity
hash, the bodies kept on the steps and the KYC reviews, the notices, the documents (rows,
files and previews), the screening hits and their decisions, and the case-list search terms
the tenant's sessions keep. What stays:
the case's states and dates, its Altafid contact UUID, its steps' states and masked
attempts, and the audit trail, which never held personal data. It cannot be undone.

On PostgreSQL an update or a delete leaves the old row version in the table (and its index
entries) until a vacuum removes it, so erasure ends by vacuuming the tables it touched, after
its transaction commits. The bytes can stay in the pages' free space until PostgreSQL writes
over them, and in WAL archives and backups until they age out (docs/architecture.md, "Security").
"""

import datetime
import logging

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from onboarding.accounts.models import User
from onboarding.accounts.permissions import Can, user_must
from onboarding.audit.models import EventKind
from onboarding.audit.services import event_record
from onboarding.cases.lifecycle import CaseStatus, ErasureReason, StepKind, StepState
from onboarding.cases.locks import case_locked
from onboarding.cases.models import Case, SectionRevision
from onboarding.cases.searches import searches_forget
from onboarding.documents.models import Document
from onboarding.documents.services import documents_erase
from onboarding.kyc.models import Review, ScreeningHit, ScreeningRun
from onboarding.notices.models import Notice
from onboarding.submissions.models import Step

log = logging.getLogger(__name__)

# What erasure updates or deletes rows of: their old row versions hold what it erased.
ERASED_MODELS: tuple[type[models.Model], ...] = (
    Case,
    SectionRevision,
    Step,
    Review,
    Notice,
    Document,
    ScreeningHit,
    ScreeningRun,
)


def case_erase(
    *, case: Case, user: User | None, reason: ErasureReason, vacuum: bool = True
) -> None:
    """Erases the client's data of `case` for good; `user` None is the retention task.

    `vacuum` False leaves the vacuum to the caller, who erases several cases and vacuums once.
    """
    with case_locked(case=case):
        if user is not None:
            user_must(user=user, can=Can.ERASE, case=case)
        if case.erased_at is not None:
            return
        case.revisions.all().delete()
        Step.objects.filter(case=case).update(payload=None)
        Review.objects.filter(case=case).update(body={}, picture={}, notes=None, flags="")
        Notice.objects.filter(case=case).delete()
        ScreeningHit.objects.filter(case=case).delete()
        ScreeningRun.objects.filter(case=case).delete()
        documents_erase(case=case)
        Case.objects.filter(pk=case.pk).update(
            drafts={},
            duplicate_reason=None,
            client_name="",
            client_email="",
            identity_hash="",
            identity_body_hash="",
            erased_at=timezone.now(),
            version=case.version + 1,
        )
        # A term searched for may be this client's name or identity number.
        searches_forget(tenant_id=case.tenant_id)
        event_record(
            kind=EventKind.CASE_ERASED,
            tenant=case.tenant_id,
            actor=user,
            case=case,
            data={"reason": reason.value},
        )
        if vacuum:
            transaction.on_commit(erased_tables_vacuum)


def erased_tables_vacuum() -> None:
    """Removes the old row versions erasure left, and their index entries (PostgreSQL only).

    VACUUM cannot run in a transaction: call it after the erasure committed (on_commit). Index
    cleanup is asked for because PostgreSQL skips it when few pages changed, which is exactly
    an erasure's case. A failure is logged and left to autovacuum: the erasure stands.
    """
    if connection.vendor != "postgresql":
        return
    if connection.in_atomic_block:
        # Only a caller's own transaction around on_commit's callbacks (tests) leads here.
        log.warning("could not vacuum after an erasure (inside a transaction)")
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in ERASED_MODELS)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (INDEX_CLEANUP ON) {tables}")
    except DatabaseError as error:
        log.warning("could not vacuum after an erasure (%s)", type(error).__name__)


def cases_past_retention(*, now: datetime.datetime | None = None) -> models.QuerySet[Case]:
    """Activated cases whose login was set up longer ago than RETENTION_DAYS, not erased yet."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.RETENTION_DAYS)
    activated = Step.objects.filter(
        case=models.OuterRef("pk"),
        kind=StepKind.CREDENTIALS,
        state=StepState.SUCCEEDED,
        finished_at__lte=cutoff,
    )
    return Case.objects.filter(status=CaseStatus.ACTIVATED, erased_at__isnull=True).filter(
        models.Exists(activated)
    )


def cases_erase_expired(*, now: datetime.datetime | None = None) -> int:
    erased = 0
    for case in cases_past_retention(now=now).only("pk"):
        with case_locked(case=case):
            # Changed since it was found (an amendment under way, say): its turn comes again.
            if not cases_past_retention(now=now).filter(pk=case.pk).exists():
                continue
            case_erase(case=case, user=None, reason=ErasureReason.RETENTION, vacuum=False)
        erased += 1
    if erased:
        transaction.on_commit(erased_tables_vacuum)
    return erased
