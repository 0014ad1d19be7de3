"""Notices of the KYC review, in the app and by e-mail."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.roles import Role
from onboarding.cases.models import Case
from onboarding.kyc.models import Review, ReviewState
from onboarding.kyc.services import review_approve, review_assign, review_return
from onboarding.notices.models import Notice, NoticeKind
from onboarding.notices.services import notices_mail_waiting
from onboarding.outbox.models import MailKind, OutgoingMail
from onboarding.outbox.services import FIRST_PAUSE, outgoing_mails_retry
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.worker import step_run
from tests.factories import TenantFactory, staff_create
from tests.submissions.conftest import documents_verify, officer_of, steps_drive, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notices_worker")]
HTMX = {"HTTP_HX_REQUEST": "true"}
# The demo client's name, e-mail and identity number: never in an e-mail to staff.
CLIENT_DATA = ("Juan", "García", "López", "juan@example.com", "12.345.678", "12345678")
# Nothing listens on port 1 of the loopback: a mail server that is down.
MAIL_SERVER_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 1,
}


def _names_no_client(message):
    for value in CLIENT_DATA:
        assert value not in message.subject, value
        assert value not in message.body, value


@pytest.fixture
def officers(tenant):
    return [
        officer_of(tenant),
        staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[tenant], email="second@example.com"),
    ]


@pytest.fixture
def held(ready_case, rm, officers, sandbox, django_capture_on_commit_callbacks):
    submit(ready_case, rm)
    # The officers' notices are made by a worker once the review's opening commits.
    with django_capture_on_commit_callbacks(execute=True):
        steps_drive(ready_case, approve=False)
    review = Review.objects.get(case=ready_case, state=ReviewState.WAITING)
    documents_verify(review, officers[0])
    return review


def test_it_tells_every_officer_of_the_tenant_that_a_case_waits(held, officers):
    staff_create(role=Role.COMPLIANCE_OFFICER, tenants=[TenantFactory()])

    notices = Notice.objects.filter(kind=NoticeKind.REVIEW_WAITING)

    assert {notice.recipient for notice in notices} == set(officers)
    assert all(notice.case_id == held.case_id for notice in notices)


def test_it_mails_each_officer_at_most_once_per_batch(
    held, officers, ready_case, django_capture_on_commit_callbacks
):
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        first = notices_mail_waiting(now=now)

    assert first == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in officers)
    assert mail.outbox[0].subject == "1 onboarding waits for KYC review"
    assert "http://127.0.0.1:8000/kyc/" in mail.outbox[0].body
    for message in mail.outbox:
        _names_no_client(message)
    # Another case starts waiting five minutes later: no e-mail until the batch is over.
    Notice.objects.create(
        recipient=officers[0], tenant=ready_case.tenant, case=ready_case, kind="review_waiting"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notices_mail_waiting(now=now + datetime.timedelta(minutes=5)) == 0
        assert notices_mail_waiting(now=now + datetime.timedelta(minutes=16)) == 1
    assert len(mail.outbox) == 3


def test_it_mails_the_rm_when_returned_without_the_comment(
    held,
    officers,
    rm,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        review_return(
            review=held,
            user=officers[0],
            digest=held.digest,
            reasons=["identity_not_verified"],
            comment="The RUT 12.345.678-5 does not match the card.",
            field_notes={"identityDocuments": "Photo unreadable"},
        )

    [message] = [m for m in mail.outbox if m.to == [rm.email]]
    assert message.subject == "An onboarding was returned by compliance"
    assert "Identity not verified" in message.body
    assert f"/cases/{held.case_id}/" in message.body
    assert "Photo unreadable" not in message.body
    _names_no_client(message)
    notice = Notice.objects.get(recipient=rm)
    assert (notice.kind, notice.actor) == (NoticeKind.REVIEW_RETURNED, officers[0])
    assert notice.emailed_at is not None
    assert not Notice.objects.filter(kind="review_waiting", read_at__isnull=True).exists()


def test_it_tells_the_rm_when_approved(held, officers, rm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review_assign(review=held, user=officers[1])
        review_approve(review=held, user=officers[1], digest=held.digest, attested=True)

    assert Notice.objects.get(recipient=rm).kind == NoticeKind.REVIEW_APPROVED
    [message] = [m for m in mail.outbox if m.to == [rm.email]]
    assert message.subject == "KYC approved for an onboarding"
    assert reverse("submissions:status", args=[held.case_id]) in message.body
    _names_no_client(message)


def test_it_counts_unread_notices_in_the_navigation_and_lists_them(client, held, officers):
    client.force_login(officers[0])

    page = client.get(reverse("notices:list")).content.decode()

    assert 'Notices<span class="nav-count">1<' in page
    assert "Waiting for your KYC review" in page
    assert "notice-unread" in page


def test_it_marks_a_notice_read_when_opened_and_goes_to_it(client, held, officers):
    client.force_login(officers[0])
    notice = Notice.objects.get(recipient=officers[0])

    response = client.post(reverse("notices:open", args=[notice.pk]))

    assert response.status_code == 302
    assert response.url == reverse("kyc:queue")
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_it_marks_all_read(client, held, officers):
    client.force_login(officers[0])

    client.post(reverse("notices:read-all"))

    assert not Notice.objects.filter(recipient=officers[0], read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=officers[1], read_at__isnull=True).exists()


def test_it_shows_only_unread_ones_to_htmx(client, held, officers):
    client.force_login(officers[0])
    client.post(reverse("notices:read-all"))

    response = client.get(reverse("notices:list"), {"show": "unread"}, **HTMX)

    page = response.content.decode()
    assert page.strip().startswith('<div id="results">')
    assert "Nothing unread." in page


def test_it_hides_someone_elses_notice(client, held, officers):
    client.force_login(officers[1])
    notice = Notice.objects.get(recipient=officers[0])

    response = client.post(reverse("notices:open", args=[notice.pk]))

    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


@pytest.mark.parametrize(
    ("name", "method"), [("notices:list", "post"), ("notices:read-all", "get")]
)
def test_it_refuses_the_wrong_method(client, officers, name, method):
    client.force_login(officers[0])

    assert getattr(client, method)(reverse(name)).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_it_records_an_approval_and_mails_the_rm_though_the_clients_name_has_a_line_break(
    client, held, officers, rm
):
    # A name stored before control characters were refused at the field.
    Case.objects.filter(pk=held.case_id).update(client_name="Juan\nBcc: someone@example.com")
    client.force_login(officers[1])
    client.post(reverse("kyc:take", args=[held.pk]), {"action": "assign"})

    response = client.post(
        reverse("kyc:decide", args=[held.pk]),
        {"decision": "approve", "digest": held.digest, "attest": "yes"},
    )

    assert response.status_code == 302
    assert Review.objects.get(pk=held.pk).state == ReviewState.APPROVED
    [message] = [m for m in mail.outbox if m.to == [rm.email]]
    assert message.subject == "KYC approved for an onboarding"
    assert Notice.objects.get(recipient=rm).emailed_at is not None


def test_it_keeps_the_decision_when_the_mail_server_is_down(
    client, held, officers, rm, settings, caplog, django_capture_on_commit_callbacks
):
    for name, value in MAIL_SERVER_DOWN.items():
        setattr(settings, name, value)
    client.force_login(officers[1])
    client.post(reverse("kyc:take", args=[held.pk]), {"action": "assign"})

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("kyc:decide", args=[held.pk]),
            {"decision": "approve", "digest": held.digest, "attest": "yes"},
        )

    assert response.status_code == 302
    assert len(callbacks) >= 2, "the mail and the step's task wait for the commit"
    assert Review.objects.get(pk=held.pk).state == ReviewState.APPROVED
    assert Step.objects.get(pk=held.step_id).state == StepState.QUEUED
    notice = Notice.objects.get(recipient=rm)
    assert notice.kind == NoticeKind.REVIEW_APPROVED
    assert OutgoingMail.objects.filter(recipient=rm, kind=MailKind.REVIEW_DECIDED).exists()
    assert "could not send the review_decided e-mail (ConnectionRefusedError)" in caplog.text
    assert rm.email not in caplog.text


def test_it_keeps_the_waiting_notices_when_the_mail_server_is_down(
    held, officers, settings, caplog, django_capture_on_commit_callbacks
):
    for name, value in MAIL_SERVER_DOWN.items():
        setattr(settings, name, value)

    with django_capture_on_commit_callbacks(execute=True):
        assert notices_mail_waiting() == 2

    assert caplog.text.count("could not send the review_waiting e-mail") == 2
    assert Notice.objects.filter(kind="review_waiting").count() == 2
    # Kept for the outbox's sweep, which sends them once the mail server is back.
    assert OutgoingMail.objects.filter(kind=MailKind.REVIEW_WAITING, tries=1).count() == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outgoing_mails_retry(now=timezone.now() + FIRST_PAUSE) == 2
    assert {tuple(message.to) for message in mail.outbox} == {
        (officer.email,) for officer in officers
    }


def _sales_failed_for_good(case, rm, sandbox, settings):
    settings.SUBMISSION_MAX_ATTEMPTS = 1
    submit(case, rm)
    step_run(step_id=Step.objects.get(case=case, kind="create").pk)
    sandbox.fail_next("unavailable", method="PUT", path_prefix="/api/contacts")
    step_run(step_id=Step.objects.get(case=case, kind="sales").pk)
    return Step.objects.get(case=case, kind="sales")


def test_it_tells_the_rm_when_a_case_stops_for_good(
    ready_case, rm, sandbox, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        failed = _sales_failed_for_good(ready_case, rm, sandbox, settings)

    assert failed.state == StepState.FAILED
    notice = Notice.objects.get(recipient=rm)
    assert (notice.kind, notice.case) == (NoticeKind.STEP_STOPPED, ready_case)
    assert [message.to for message in mail.outbox] == [[rm.email]]
    assert ready_case.client_name not in mail.outbox[0].body + mail.outbox[0].subject
    assert reverse("submissions:status", args=[ready_case.pk]) in mail.outbox[0].body


def test_it_tells_the_rm_when_an_admins_retry_goes_through(
    ready_case, rm, sandbox, settings, django_capture_on_commit_callbacks
):
    from onboarding.operations.services import failure_retry

    with django_capture_on_commit_callbacks(execute=True):
        failed = _sales_failed_for_good(ready_case, rm, sandbox, settings)
    admin = staff_create(role=Role.ADMIN, tenants=[ready_case.tenant])
    failure_retry(step=failed, user=admin)

    with django_capture_on_commit_callbacks(execute=True):
        step_run(step_id=failed.pk)

    kinds = dict(Notice.objects.filter(recipient=rm).values_list("kind", "read_at"))
    assert set(kinds) == {NoticeKind.STEP_STOPPED, NoticeKind.STEP_RECOVERED}
    assert kinds[NoticeKind.STEP_STOPPED] is not None
    assert kinds[NoticeKind.STEP_RECOVERED] is None


def test_it_sends_no_notice_for_a_step_that_went_through_at_once(ready_case, rm, sandbox):
    submit(ready_case, rm)
    steps_drive(ready_case)

    assert not Notice.objects.filter(
        recipient=rm, kind__in=(NoticeKind.STEP_STOPPED, NoticeKind.STEP_RECOVERED)
    ).exists()
