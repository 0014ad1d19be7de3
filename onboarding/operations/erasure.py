"""Erasing a client's data: on request (an admin, with a reason) or after the retention period.

What is erased: the drafts and every revision of them, the plain name, e-mail and identity
hash, the bodies kept on the steps and the KYC reviews, the notices, and the case-list search
terms the tenant's sessions keep. What stays: the case's states and dates, its Altafid contact
UUID, its steps' states and masked attempts, and the audit trail, which never held personal
data. It cannot be undone.
"""

import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from onboarding.accounts.models import User
from onboarding.audit.models import EventKind
from onboarding.audit.services import event_record
from onboarding.cases.lifecycle import CaseStatus, ErasureReason, StepKind, StepState
from onboarding.cases.models import Case
from onboarding.cases.permissions import case_admin_check
from onboarding.cases.searches import searches_forget
from onboarding.kyc.models import Review
from onboarding.notices.models import Notice
from onboarding.submissions.models import Step


def case_erase(*, case: Case, user: User | None, reason: ErasureReason) -> None:
    """Erases the client's data of `case` for good; `user` None is the retention task."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if user is not None:
            case_admin_check(user=user, case=case)
        if case.erased_at is not None:
            return
        case.revisions.all().delete()
        Step.objects.filter(case=case).update(payload=None)
        Review.objects.filter(case=case).update(body={}, picture={}, notes=None, flags="")
        Notice.objects.filter(case=case).delete()
        Case.objects.filter(pk=case.pk).update(
            drafts={},
            client_name="",
            client_email="",
            identity_hash="",
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
        case_erase(case=case, user=None, reason=ErasureReason.RETENTION)
        erased += 1
    return erased
