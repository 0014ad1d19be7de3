"""The e-mail of a notice goes through a worker: the decision commits without waiting for a
mail server, the task carries the notice's id alone, and a lost task or a failed send is made
good by the sweep."""

import datetime

import pytest
from django.core import mail

from onboarding.kyc.models import Review, ReviewState
from onboarding.kyc.services import review_approve, review_assign
from onboarding.notices.models import Notice, NoticeKind
from onboarding.notices.services import notice_mail_send, notices_mail_pending
from onboarding.notices.tasks import notice_mail
from tests.notices.test_notices import MAIL_SERVER_DOWN
from tests.submissions.conftest import documents_verify, officer_of, steps_drive, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """What the decision hands the broker (the task's arguments), instead of a worker."""
    sent: list[tuple[int, ...]] = []
    monkeypatch.setattr(notice_mail, "delay", lambda *args: sent.append(args))
    return sent


@pytest.fixture
def approved(ready_case, rm, sandbox, queued, django_capture_on_commit_callbacks):
    submit(ready_case, rm)
    steps_drive(ready_case, approve=False)
    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    officer = officer_of(ready_case.tenant)
    documents_verify(review, officer)
    review_assign(review=review, user=officer)
    with django_capture_on_commit_callbacks(execute=True):
        review_approve(review=review, user=officer, digest=review.digest, attested=True)
    return Notice.objects.get(recipient=rm, kind=NoticeKind.REVIEW_APPROVED)


def test_it_hands_the_worker_the_notices_id_and_sends_nothing_itself(approved, queued, rm):
    assert queued == [(approved.pk,)]
    assert mail.outbox == []
    assert approved.emailed_at is None
    assert approved.mail["subject"] == "KYC approved for an onboarding"

    assert notice_mail_send(notice_id=approved.pk)
    assert not notice_mail_send(notice_id=approved.pk)

    approved.refresh_from_db()
    assert [message.to for message in mail.outbox] == [[rm.email]]
    assert approved.emailed_at is not None
    assert approved.mail == {}


def test_it_sends_from_the_sweep_what_a_lost_task_or_a_failed_send_left(approved, settings):
    soon = approved.created_at + datetime.timedelta(seconds=30)
    later = approved.created_at + datetime.timedelta(minutes=2)
    for name, value in MAIL_SERVER_DOWN.items():
        setattr(settings, name, value)

    early = notices_mail_pending(now=soon)
    failed = notices_mail_pending(now=later)
    approved.refresh_from_db()
    still_pending = approved.emailed_at is None and bool(approved.mail)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent = notices_mail_pending(now=later)
    too_late = notices_mail_pending(now=approved.created_at + datetime.timedelta(days=2))

    assert (early, failed, sent, too_late) == (0, 0, 1, 0)
    assert still_pending
    assert len(mail.outbox) == 1
