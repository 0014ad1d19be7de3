"""The pages of a discarded draft lead to the list, which says it was discarded.

A discarded draft keeps its row as a tombstone: its drafts, name, e-mail and identity hashes
are wiped (`services.case_discard`), its tenant and owner stay. So its old addresses, reached
with Back or from a bookmark, can tell the people who could open it what happened, rather
than answer 404; to anyone else they stay a 404.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.messages.storage.base import BaseStorage
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from onboarding.accounts.models import User
from onboarding.cases.models import Case
from onboarding.cases.services import case_discarded, cases_for_user
from onboarding.core.http import redirect_page


class CaseDiscarded(Exception):
    """The case asked for is a draft this person could open until it was discarded."""


def case_or_404(*, user: User, pk: int) -> Case:
    """The case `pk` if this user may open it; `CaseDiscarded` for a draft they could open
    until it was discarded; otherwise 404."""
    case = cases_for_user(user=user).filter(pk=pk).first()
    if case is not None:
        return case
    if case_discarded(user=user, pk=pk):
        raise CaseDiscarded
    raise Http404


class DiscardedCaseMiddleware:
    """Turns `CaseDiscarded` from any view into the list and a message; the message and the
    address name no client."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, CaseDiscarded):
            return None
        said = _("This draft was discarded.")
        storage = messages.get_messages(request)
        # Back through several of its pages says it once.
        if all(str(message) != said for message in storage):
            messages.info(request, said)
        if isinstance(storage, BaseStorage):
            storage.used = False
        return redirect_page(request, reverse("cases:list"))
