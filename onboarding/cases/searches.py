"""The case list's search term, kept in the session between the POST and the pages it lists.

A term is a client's name, e-mail or identity number, so it never sits readable in
`django_session`: it is encrypted with the field keys (`core.crypto`). Logging out deletes the
session row with it (Django's `logout` flushes the session). When a case is erased, every
session keeping a term for that case's tenant forgets it (`searches_forget`): a term that is
part of a name matches the erased client as well as a whole one, so all of the tenant's go.
"""

from typing import Any

from cryptography.fernet import InvalidToken
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from onboarding.accounts.services import sessions_clear_expired
from onboarding.core.crypto import decrypt_text, encrypt_text
from onboarding.core.inputs import search_clean

SESSION_KEY = "case_search"
TERM_MAX_LENGTH = 200


def search_remember(*, session: SessionBase, tenant_id: int, term: str) -> None:
    if term:
        session[SESSION_KEY] = {"tenant": tenant_id, "term": encrypt_text(term)}
    else:
        session.pop(SESSION_KEY, None)


def search_recall(*, session: SessionBase, tenant_id: int) -> str:
    """The term searched for in this tenant, or "" (none, another tenant's, unreadable)."""
    kept = session.get(SESSION_KEY)
    if kept is None:
        return ""
    term = _term(kept)
    if term is None:
        # Kept in clear by an earlier version, or under a key no longer configured.
        session.pop(SESSION_KEY, None)
        return ""
    return term if kept.get("tenant") == tenant_id else ""


def _term(kept: Any) -> str | None:
    if not isinstance(kept, dict) or not isinstance(kept.get("term"), str):
        return None
    try:
        return search_clean(decrypt_text(kept["term"]), max_length=TERM_MAX_LENGTH)
    except (InvalidToken, UnicodeError):
        return None


def searches_forget(*, tenant_id: int) -> int:
    """Drops the search term every stored session keeps for `tenant_id`; returns how many.

    Expired sessions are deleted outright, now rather than at the daily sweep's next run: they
    may keep one.
    """
    sessions_clear_expired()
    return sum(
        _forget(session, tenant_id)
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
    )


def _forget(session: Session, tenant_id: int) -> bool:
    data = session.get_decoded()
    kept = data.get(SESSION_KEY)
    if kept is None or (isinstance(kept, dict) and kept.get("tenant") != tenant_id):
        return False
    del data[SESSION_KEY]
    # Only over what was read: a session saved meanwhile is read again.
    updated = Session.objects.filter(
        session_key=session.session_key, session_data=session.session_data
    ).update(session_data=SessionStore().encode(data))
    if updated:
        return True
    fresh = Session.objects.filter(session_key=session.session_key).first()
    return fresh is not None and _forget(fresh, tenant_id)
