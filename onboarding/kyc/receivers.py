from typing import Any

from django.db import transaction
from django.dispatch import receiver

from onboarding.accounts.models import User
from onboarding.cases.lifecycle import Section
from onboarding.cases.models import Case
from onboarding.cases.signals import section_saved
from onboarding.documents.models import Document
from onboarding.documents.signals import documents_changed
from onboarding.kyc.models import ScreeningReason, ScreeningRun
from onboarding.kyc.monitoring import client_rescreen, rescreening_start
from onboarding.kyc.services import review_open, reviews_close, reviews_documents_changed
from onboarding.screening.models import ListVersion
from onboarding.screening.signals import list_switched
from onboarding.submissions.models import Step
from onboarding.submissions.signals import step_held, submission_cancelled

# The sections that hold what a screening reads (`hits.case_person`).
SCREENED_SECTIONS = (Section.CLIENT, Section.SALES)


@receiver(step_held, sender=Step, dispatch_uid="kyc-review-open")
def _review_open(sender: type[Step], *, step: Step, actor: User | None, **kwargs: Any) -> None:
    review_open(step=step, actor=actor)


@receiver(submission_cancelled, sender=Step, dispatch_uid="kyc-reviews-close")
def _reviews_close(sender: type[Step], *, case: Case, actor: User, **kwargs: Any) -> None:
    reviews_close(case=case, actor=actor)


@receiver(documents_changed, sender=Document, dispatch_uid="kyc-documents-changed")
def _documents_changed(
    sender: type[Document], *, case: Case, actor: User | None, **kwargs: Any
) -> None:
    reviews_documents_changed(case=case, actor=actor)


@receiver(section_saved, sender=Case, dispatch_uid="kyc-screen-again")
def _screen_again(
    sender: type[Case], *, case: Case, section: Section, actor: User | None, **kwargs: Any
) -> None:
    """A client already screened is screened again once a change to what is screened commits
    (the screening takes its own lock; the save does not wait for it)."""
    if section in SCREENED_SECTIONS and ScreeningRun.objects.filter(case=case).exists():
        case_id = case.pk
        transaction.on_commit(
            lambda: client_rescreen(case_id=case_id, reason=ScreeningReason.CHANGED, actor=actor)
        )


@receiver(list_switched, dispatch_uid="kyc-rescreen-clients")
def _rescreen_clients(sender: Any, *, version: ListVersion, **kwargs: Any) -> None:
    rescreening_start(dataset=version.dataset, list_version=version.pk)
