from typing import Any

from django.dispatch import receiver

from onboarding.accounts.models import User
from onboarding.cases.models import Case
from onboarding.documents.models import Document
from onboarding.documents.signals import documents_changed
from onboarding.kyc.services import review_open, reviews_close, reviews_documents_changed
from onboarding.submissions.models import Step
from onboarding.submissions.signals import step_held, submission_cancelled


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
