from typing import Any

from django.dispatch import receiver

from onboarding.cases.models import Case
from onboarding.cases.signals import draft_discarded
from onboarding.documents.services import documents_erase


@receiver(draft_discarded, sender=Case, dispatch_uid="documents-case-discarded")
def _draft_discarded(sender: type[Case], *, case: Case, **kwargs: Any) -> None:
    documents_erase(case=case)
