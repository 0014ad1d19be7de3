import pytest

from onboarding.cases.services import case_discard
from onboarding.documents.models import Document
from tests.documents import samples
from tests.factories import document_create

pytestmark = pytest.mark.django_db


def _files(directory):
    return [path for path in directory.rglob("*") if path.is_file()]


def test_it_deletes_the_documents_of_a_discarded_draft(
    case, rm, documents_dir, django_capture_on_commit_callbacks
):
    document_create(case=case)
    document_create(case=case, kind="address", data=samples.pdf(pages=3))
    assert len(_files(documents_dir)) == 6

    with django_capture_on_commit_callbacks(execute=True):
        case_discard(case=case, user=rm)

    assert not Document.objects.exists()
    assert _files(documents_dir) == []


def test_it_keeps_the_files_when_the_erasure_does_not_commit(case, rm, documents_dir):
    from django.db import transaction

    document = document_create(case=case)

    class Undone(Exception):
        pass

    def discard_then_fail():
        with transaction.atomic():
            case_discard(case=case, user=rm)
            raise Undone

    with pytest.raises(Undone):
        discard_then_fail()

    assert Document.objects.filter(pk=document.pk).exists()
    assert len(_files(documents_dir)) == 2
