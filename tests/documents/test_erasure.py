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
    # Each file with a preview and a thumbnail per page.
    assert len(_files(documents_dir)) == 3 + 7

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
    assert len(_files(documents_dir)) == 3


def test_it_keeps_no_file_on_a_case_erased_or_discarded_before_the_upload_ended(
    case, rm, documents_dir, django_capture_on_commit_callbacks
):
    from onboarding.cases.models import Case
    from onboarding.cases.services import SectionLocked

    stale = Case.objects.get(pk=case.pk)
    with django_capture_on_commit_callbacks(execute=True):
        case_discard(case=case, user=rm)

    with pytest.raises(SectionLocked) as refused:
        document_create(case=stale)

    assert refused.value.message == "This draft was discarded."
    assert not Document.objects.exists()
    assert _files(documents_dir) == []


def test_it_keeps_no_file_on_an_erased_case(tenant, rm, documents_dir):
    from django.utils import timezone

    from onboarding.cases.models import Case
    from onboarding.cases.services import SectionLocked, case_create

    case = case_create(tenant=tenant, owner=rm)
    Case.objects.filter(pk=case.pk).update(erased_at=timezone.now())

    with pytest.raises(SectionLocked):
        document_create(case=case)

    assert _files(documents_dir) == []
