"""Notices and their e-mails are made by a worker: the decision commits without waiting for
them, the task carries the review's id alone, and a failed send is made good by the sweep."""

import pytest
from django.core import mail

from onboarding.kyc import notify
from onboarding.kyc.models import Review, ReviewState
from onboarding.kyc.services import review_approve, review_assign
from onboarding.kyc.tasks import review_notices
from onboarding.notices.models import Notice, NoticeKind
from onboarding.outbox.models import MailKind, OutgoingMail
from onboarding.outbox.services import outgoing_mails_retry
from tests.notices.test_notices import MAIL_SERVER_DOWN
from tests.submissions.conftest import documents_verify, officer_of, steps_drive, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """What the decision hands the broker (the task's arguments), instead of a worker."""
    sent: list[tuple[object, ...]] = []
    monkeypatch.setattr(review_notices, "delay", lambda *args: sent.append(args))
    return sent


@pytest.fixture
def officer(ready_case):
    return officer_of(ready_case.tenant)


@pytest.fixture
def approved(ready_case, rm, sandbox, queued, officer, django_capture_on_commit_callbacks):
    submit(ready_case, rm)
    steps_drive(ready_case, approve=False)
    queued.clear()
    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    documents_verify(review, officer)
    review_assign(review=review, user=officer)
    with django_capture_on_commit_callbacks(execute=True):
        review_approve(review=review, user=officer, digest=review.digest, attested=True)
    return review


def test_it_hands_the_worker_the_reviews_id_and_makes_nothing_itself(approved, queued, officer, rm):
    assert queued == [(approved.pk, "decided", officer.pk)]
    assert not Notice.objects.filter(kind=NoticeKind.REVIEW_APPROVED).exists()
    assert mail.outbox == []

    review_notices.apply(args=queued[0])

    notice = Notice.objects.get(recipient=rm, kind=NoticeKind.REVIEW_APPROVED)
    assert notice.actor == officer
    assert notice.emailed_at is not None
    assert not OutgoingMail.objects.exists()
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([rm.email], "KYC approved for an onboarding")
    ]


def test_it_tells_the_officers_once_the_review_opened_and_not_once_it_is_decided(
    ready_case, rm, sandbox, queued, officer, django_capture_on_commit_callbacks
):
    submit(ready_case, rm)
    with django_capture_on_commit_callbacks(execute=True):
        steps_drive(ready_case, approve=False)
    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    opened = [args for args in queued if args[1] == "waiting"]
    assert opened == [(review.pk, "waiting", None)]

    review_notices.apply(args=opened[0])
    waiting = Notice.objects.filter(kind=NoticeKind.REVIEW_WAITING, read_at__isnull=True)
    assert list(waiting.values_list("recipient", flat=True)) == [officer.pk]

    Notice.objects.all().delete()
    Review.objects.filter(pk=review.pk).update(state=ReviewState.VOIDED)
    review_notices.apply(args=opened[0])
    assert not Notice.objects.exists()


def test_it_marks_done_the_waiting_notices_of_a_review_decided_while_they_were_made(
    ready_case, rm, sandbox, queued, officer, monkeypatch, django_capture_on_commit_callbacks
):
    submit(ready_case, rm)
    with django_capture_on_commit_callbacks(execute=True):
        steps_drive(ready_case, approve=False)
    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    opened = [args for args in queued if args[1] == "waiting"]
    make = notify.notices_review_waiting

    def decided_meanwhile(**kwargs):
        # The decision commits, and its own task runs, after the review was read as open
        # but before these notices are in: that task found nothing to mark done.
        made = make(**kwargs)
        Review.objects.filter(pk=review.pk).update(state=ReviewState.APPROVED)
        return made

    monkeypatch.setattr(notify, "notices_review_waiting", decided_meanwhile)
    review_notices.apply(args=opened[0])

    waiting = Notice.objects.filter(kind=NoticeKind.REVIEW_WAITING)
    assert list(waiting.values_list("recipient", flat=True)) == [officer.pk]
    assert not waiting.filter(read_at__isnull=True).exists()


def test_it_leaves_to_the_outbox_what_the_mail_server_refused(approved, queued, settings, rm):
    for name, value in MAIL_SERVER_DOWN.items():
        setattr(settings, name, value)

    review_notices.apply(args=queued[0])

    notice = Notice.objects.get(kind=NoticeKind.REVIEW_APPROVED)
    assert notice.emailed_at is not None
    kept = OutgoingMail.objects.get()
    assert (kept.kind, kept.recipient_id, kept.tries) == (MailKind.REVIEW_DECIDED, rm.pk, 1)
    assert kept.message["subject"] == "KYC approved for an onboarding"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outgoing_mails_retry(now=kept.next_try_at) == 1
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([rm.email], "KYC approved for an onboarding")
    ]
