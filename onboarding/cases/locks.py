"""One writer of a case at a time: every write to a case locks its row first, then re-checks.

A write's checks (who may do it, what state the case is in, which version a form was loaded
at, the state of a step or a review) are only true while nobody else writes the case. So each
write opens its transaction with `case_locked` (or `case_lock`), and makes its checks on the
row as the lock found it: a second writer waits for the first to commit, then checks what the
first left.

The order of locks is the same in every writer, so that two of them never wait for each
other: the case row, then its steps, then its reviews (`submissions.sql.case_lock` is the
same first lock in plain SQL, for the worker).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from onboarding.cases.models import Case
from onboarding.core.compiled import CompiledGet

# Built once (`core.compiled`): the officers' actions lock the case this way, three per review.
_CASE_ROW_LOCKED = CompiledGet(Case, defer=("drafts",), lock=True, no_key=True)


def case_lock(*, case_id: int, drafts: bool = True) -> Case:
    """Locks the case row in the transaction under way and returns it as it is now.

    Only the case row, and only against its other writers (FOR NO KEY UPDATE): rows that
    refer to it (steps, attempts, the audit trail) can still be inserted meanwhile, and the
    tenant and owner rows are not locked. Without `drafts`, the client's data (decrypted) and
    the case's tenant and owner are read only if the caller reads them.
    """
    if not drafts:
        locked = _CASE_ROW_LOCKED.get(case_id)
        if locked is None:
            raise Case.DoesNotExist
        return locked
    cases = Case.objects.select_for_update(no_key=True, of=("self",)).select_related(
        "tenant", "owner"
    )
    return cases.get(pk=case_id)


@contextmanager
def case_locked(*, case: Case) -> Iterator[Case]:
    """A transaction holding the case's lock, with `case` brought up to date from the locked
    row (in place, so that the caller's copy tells what the write found); yields it.

        with case_locked(case=case):
            user_must(user=user, can=Can.CHANGE, case=case)  # on the row as it is now
            ...
    """
    with transaction.atomic():
        case.refresh_from_db(
            from_queryset=Case.objects.select_for_update(no_key=True, of=("self",))
        )
        yield case
