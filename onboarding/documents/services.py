"""Attaching, replacing and removing a case's documents, and recording the client's consent.

Every write is the case owner's, under the case's lock (`cases.locks`), like any other change
to the case; the file's bytes are checked and re-encoded first (`files.file_accept`), outside
the lock, and stored encrypted (`storage.py`).
"""

import datetime
import uuid

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onboarding.accounts.models import User
from onboarding.accounts.permissions import Can, user_must
from onboarding.audit.models import EventKind
from onboarding.audit.services import event_record
from onboarding.cases.lifecycle import CaseStatus
from onboarding.cases.locks import case_locked
from onboarding.cases.models import Case
from onboarding.cases.services import SectionLocked, cases_for_user
from onboarding.documents.files import file_accept
from onboarding.documents.models import Consent, ConsentMethod, Document, DocumentKind
from onboarding.documents.signals import documents_changed
from onboarding.documents.storage import blob_delete, blob_rotate, blob_write


def documents_of_case(*, case: Case) -> QuerySet[Document]:
    """The documents on the case now (not removed)."""
    return Document.objects.filter(case=case, removed_at__isnull=True)


def document_for_user(*, user: User, uid: uuid.UUID) -> Document | None:
    """The document `uid` if this user may see its case (the owner RM, the tenant's officers
    and admins), removed or not: a removed one is still part of the undo and of what the
    officer compares. None otherwise, without telling whether it exists."""
    return (
        Document.objects.filter(uid=uid, case__in=cases_for_user(user=user))
        .select_related("case")
        .first()
    )


def document_attach(
    *,
    case: Case,
    user: User,
    kind: DocumentKind,
    data: bytes,
    title: str = "",
    replacing: Document | None = None,
) -> Document:
    """Checks and keeps the file; raises `files.FileRefused` and keeps nothing when it is
    refused. `replacing` is removed in the same transaction."""
    user_must(user=user, can=Can.CHANGE, case=case)
    accepted = file_accept(data)
    names = [blob_write(data=accepted.data)]
    names += [blob_write(data=preview) for preview in accepted.previews]
    names += [blob_write(data=thumbnail) for thumbnail in accepted.thumbnails]
    previews_end = 1 + len(accepted.previews)
    try:
        with case_locked(case=case):
            user_must(user=user, can=Can.CHANGE, case=case)
            _must_keep_data(case)
            document = Document.objects.create(
                tenant_id=case.tenant_id,
                case=case,
                kind=kind,
                title=title,
                stored_name=names[0],
                content_type=accepted.content_type,
                size=len(accepted.data),
                sha256=accepted.sha256,
                received_type=accepted.received_type,
                pages=accepted.pages,
                previews=names[1:previews_end],
                thumbnails=names[previews_end:],
                uploaded_by=user,
            )
            if replacing is None:
                _document_event(EventKind.DOCUMENT_ATTACHED, case, user, document)
            else:
                Document.objects.filter(pk=replacing.pk, case=case, removed_at__isnull=True).update(
                    removed_at=timezone.now(), replaced_by=document
                )
                _document_event(
                    EventKind.DOCUMENT_REPLACED, case, user, document, replaced=str(replacing.uid)
                )
            documents_changed.send(sender=Document, case=case, actor=user)
    except BaseException:
        for name in names:
            blob_delete(name=name)
        raise
    return document


def _must_keep_data(case: Case) -> None:
    """A file is never kept on a case whose data was erased or discarded meanwhile: nothing
    would erase it again."""
    if case.erased_at is not None:
        raise SectionLocked(_("This client's data was erased; nothing in it can be changed."))
    if case.status == CaseStatus.DISCARDED:
        raise SectionLocked(_("This draft was discarded."))


def document_remove(*, case: Case, user: User, document: Document) -> None:
    """Takes the document off the case; `document_restore` brings it back."""
    with case_locked(case=case):
        user_must(user=user, can=Can.CHANGE, case=case)
        removed = Document.objects.filter(
            pk=document.pk, case=case, removed_at__isnull=True
        ).update(removed_at=timezone.now())
        if removed:
            _document_event(EventKind.DOCUMENT_REMOVED, case, user, document)
            documents_changed.send(sender=Document, case=case, actor=user)


def document_restore(*, case: Case, user: User, document: Document) -> None:
    with case_locked(case=case):
        user_must(user=user, can=Can.CHANGE, case=case)
        restored = Document.objects.filter(
            pk=document.pk, case=case, removed_at__isnull=False
        ).update(removed_at=None, replaced_by=None)
        if restored:
            _document_event(EventKind.DOCUMENT_RESTORED, case, user, document)
            documents_changed.send(sender=Document, case=case, actor=user)


def _document_event(
    kind: EventKind, case: Case, user: User, document: Document, **more: str
) -> None:
    """Opaque IDs and the kind only: a document's title may name the client."""
    event_record(
        kind=kind,
        tenant=case.tenant_id,
        actor=user,
        case=case,
        data={"document": str(document.uid), "kind": str(document.kind), **more},
    )


def documents_erase(*, case: Case) -> int:
    """Deletes every document of the case, its file, previews and thumbnails (erasure, retention,
    discard). The rows go in the caller's transaction; the files once it commits, so a
    rollback leaves no row pointing at a deleted file."""
    with transaction.atomic():
        # Locked, so a key rotation under way finishes first and its new names are read.
        documents = list(
            Document.objects.select_for_update()
            .filter(case=case)
            .only("stored_name", "previews", "thumbnails")
        )
        names = [name for row in documents for name in _blob_names(row)]
        Document.objects.filter(case=case).delete()
        transaction.on_commit(lambda: _blobs_delete(names))
    return len(documents)


def document_blobs_rotate(*, pk: int) -> bool:
    """Re-encrypts the document's file, previews and thumbnails with the newest key
    (`rotate_keys`).

    New blobs are written first and the row points at them under its lock; the old ones go
    once that commits, so a reader finds the file under one name or the other, and a save
    made meanwhile is not lost. False when the document is gone."""
    written: list[str] = []
    try:
        with transaction.atomic():
            document = Document.objects.select_for_update().filter(pk=pk).first()
            if document is None:
                return False
            old = _blob_names(document)
            written = [blob_rotate(name=name) for name in old]
            previews_end = 1 + len(document.previews)
            Document.objects.filter(pk=pk).update(
                stored_name=written[0],
                previews=written[1:previews_end],
                thumbnails=written[previews_end:],
            )
            transaction.on_commit(lambda: _blobs_delete(old))
    except BaseException:
        _blobs_delete(written)
        raise
    return True


def _blob_names(document: Document) -> list[str]:
    return [document.stored_name, *document.previews, *document.thumbnails]


def _blobs_delete(names: list[str]) -> None:
    for name in names:
        blob_delete(name=name)


@transaction.atomic
def consent_record(
    *,
    case: Case,
    user: User,
    notice_version: str,
    given_at: datetime.date,
    method: ConsentMethod,
    document: Document | None = None,
) -> Consent:
    with case_locked(case=case):
        user_must(user=user, can=Can.CHANGE, case=case)
        consent = Consent.objects.create(
            case=case,
            notice_version=notice_version,
            given_at=given_at,
            method=method,
            document=document,
            recorded_by=user,
        )
        event_record(
            kind=EventKind.CONSENT_RECORDED,
            tenant=case.tenant_id,
            actor=user,
            case=case,
            data={"notice_version": notice_version, "method": method.value},
        )
        return consent


def consent_of_case(*, case: Case) -> Consent | None:
    return Consent.objects.filter(case=case).select_related("document").first()
