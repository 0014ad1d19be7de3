import datetime

import pytest

from onboarding.audit.models import Event, EventKind
from onboarding.documents.models import ConsentMethod, DocumentKind
from onboarding.documents.services import (
    consent_record,
    document_attach,
    document_remove,
    document_restore,
)
from tests.documents.conftest import image_bytes

pytestmark = pytest.mark.django_db


def _trail(case):
    return [
        (event.kind, event.actor_id, event.data)
        for event in Event.objects.filter(case=case).order_by("id")
    ]


def _documents_trail(case):
    kinds = {
        EventKind.DOCUMENT_ATTACHED,
        EventKind.DOCUMENT_REPLACED,
        EventKind.DOCUMENT_REMOVED,
        EventKind.DOCUMENT_RESTORED,
        EventKind.CONSENT_RECORDED,
    }
    return [entry for entry in _trail(case) if entry[0] in kinds]


def test_it_records_each_change_of_a_document_in_the_audit_trail(case, rm):
    front = document_attach(case=case, user=rm, kind=DocumentKind.IDENTITY, data=image_bytes())
    back = document_attach(
        case=case, user=rm, kind=DocumentKind.IDENTITY, data=image_bytes("PNG"), replacing=front
    )
    document_remove(case=case, user=rm, document=back)
    document_restore(case=case, user=rm, document=back)

    assert _documents_trail(case) == [
        (EventKind.DOCUMENT_ATTACHED, rm.pk, {"document": str(front.uid), "kind": "identity"}),
        (
            EventKind.DOCUMENT_REPLACED,
            rm.pk,
            {"document": str(back.uid), "kind": "identity", "replaced": str(front.uid)},
        ),
        (EventKind.DOCUMENT_REMOVED, rm.pk, {"document": str(back.uid), "kind": "identity"}),
        (EventKind.DOCUMENT_RESTORED, rm.pk, {"document": str(back.uid), "kind": "identity"}),
    ]


def test_it_records_no_event_for_removing_what_is_already_removed(case, rm):
    document = document_attach(case=case, user=rm, kind=DocumentKind.ADDRESS, data=image_bytes())
    document_remove(case=case, user=rm, document=document)
    document_remove(case=case, user=rm, document=document)

    removals = [e for e in _documents_trail(case) if e[0] == EventKind.DOCUMENT_REMOVED]

    assert len(removals) == 1


def test_it_records_the_consent_without_the_title_or_any_personal_value(case, rm):
    document_attach(
        case=case, user=rm, kind=DocumentKind.OTHER, data=image_bytes(), title="Carta de Ana Rojas"
    )
    consent_record(
        case=case,
        user=rm,
        notice_version="1.0",
        given_at=datetime.date(2026, 12, 1),
        method=ConsentMethod.IN_PERSON,
    )

    trail = _documents_trail(case)

    assert trail[-1] == (
        EventKind.CONSENT_RECORDED,
        rm.pk,
        {"notice_version": "1.0", "method": "in_person"},
    )
    assert "Rojas" not in repr(trail)
