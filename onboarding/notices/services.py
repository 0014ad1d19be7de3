"""Notices in the app and by e-mail: a review waiting (to the tenant's compliance officers, their
e-mails batched), a review returned or approved (to the case's RM, e-mailed at once).

E-mails say "an onboarding" and link to it: they name no client and carry nothing of the
client's data, no comment, no note. A worker makes the notices once the decision or the step
commits, and sends their e-mails; one that cannot be sent leaves the decision and the notice in
the app as they are, and is kept, encrypted, for the outbox's sweep to try again.
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onboarding.accounts.models import Tenant, User
from onboarding.accounts.permissions import Can, users_who_may
from onboarding.cases.models import Case
from onboarding.core.compiled import CompiledRead, instance
from onboarding.notices.models import Notice, NoticeKind
from onboarding.outbox.models import MailKind
from onboarding.outbox.services import mail_queue, mail_send_or_keep

# The notices e-mailed one by one, by a worker, and their e-mail's kind; waiting reviews go
# in batches.
MAILED_AT_ONCE = {
    NoticeKind.REVIEW_RETURNED: MailKind.REVIEW_DECIDED,
    NoticeKind.REVIEW_APPROVED: MailKind.REVIEW_DECIDED,
    NoticeKind.STEP_STOPPED: MailKind.STEP_STOPPED,
}
# What a notice and its e-mail read of a person (the recipient, whoever acted): a worker
# making notices loads these and nothing else of them, the id first.
PERSON_FIELDS = ("id", "first_name", "last_name", "email")


def notice_person(values: Sequence[Any]) -> User:
    """A person as a notice reads them, from the values of `PERSON_FIELDS` in order."""
    return instance(User, PERSON_FIELDS, tuple(values))


def notice_case(*, case_id: int, tenant_id: int, owner: User) -> Case:
    """A case as its notices read it: never its drafts (a notice names no client, and
    decrypting them is work), only its tenant and its owner."""
    case = instance(Case, ("id", "tenant_id", "owner_id"), (case_id, tenant_id, owner.pk))
    case.owner = owner
    return case


def notices_for_user(*, user: User, tenant: Tenant) -> QuerySet[Notice]:
    return Notice.objects.filter(recipient=user, tenant=tenant).select_related("case", "actor")


def notices_unread_count(*, user: User, tenant: Tenant) -> int:
    return notices_for_user(user=user, tenant=tenant).filter(read_at__isnull=True).count()


def notice_read(*, user: User, notice: Notice) -> None:
    Notice.objects.filter(pk=notice.pk, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notices_read_all(*, user: User, tenant: Tenant) -> int:
    return (
        notices_for_user(user=user, tenant=tenant)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )


# Read for every review that opens: built once (`core.compiled`).
_OFFICERS = CompiledRead(
    lambda tenant_id: users_who_may(can=Can.DECIDE, tenant=tenant_id).values_list("pk")
)


def notices_review_waiting(*, case: Case, actor_id: int | None) -> list[Notice]:
    """Tells the tenant's compliance officers that a case waits, but not the officer who
    acted; e-mails go in batches."""
    return Notice.objects.bulk_create(
        Notice(
            recipient_id=officer_id,
            tenant_id=case.tenant_id,
            case=case,
            kind=NoticeKind.REVIEW_WAITING,
            actor_id=actor_id,
        )
        for (officer_id,) in _OFFICERS.rows(case.tenant_id)
        if officer_id != actor_id
    )


def notices_review_decided(
    *, case: Case, kind: NoticeKind, actor: User, reasons: Sequence[Promise | str] = ()
) -> None:
    """Tells the RM that compliance returned or approved their case, in the app and by e-mail.

    `reasons` are the labels of the reasons for a return. The officers' notices that the case
    was waiting are done with, for every officer.
    """
    now = timezone.now()
    Notice.objects.filter(case=case, kind=NoticeKind.REVIEW_WAITING, read_at__isnull=True).update(
        read_at=now
    )
    notice = Notice(
        recipient=case.owner, tenant_id=case.tenant_id, case=case, kind=kind, actor=actor
    )
    _mail_keep_and_send(notice, *_decision_mail(notice, reasons))


def notices_review_closed(*, case: Case) -> None:
    """A review closed with nothing for the RM to hear (a screening review): the officers'
    notices that it was waiting are done with."""
    Notice.objects.filter(case=case, kind=NoticeKind.REVIEW_WAITING, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notices_step_stopped(*, case: Case) -> None:
    """Tells the RM, in the app and by e-mail, that a step of their case stopped for good:
    an administrator retries it or decides, unless it is data for the RM to fix (the status
    page says which)."""
    notice = Notice(
        recipient=case.owner, tenant_id=case.tenant_id, case=case, kind=NoticeKind.STEP_STOPPED
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("An onboarding stopped on its way to Altafid")
        body = render_to_string(
            "notices/stopped_email.txt",
            {"notice": notice, "link": _link(notice_target(notice))},
        )
    _mail_keep_and_send(notice, subject, body)


def notices_step_recovered(*, case: Case) -> None:
    """Tells the RM in the app that a step that had stopped went through after a retry; what
    was stopped is done with."""
    Notice.objects.filter(case=case, kind=NoticeKind.STEP_STOPPED, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    Notice.objects.create(
        recipient_id=case.owner_id,
        tenant_id=case.tenant_id,
        case=case,
        kind=NoticeKind.STEP_RECOVERED,
    )


def notice_target(notice: Notice) -> str:
    """Where a notice leads: the review page for officers, the case for its RM."""
    if notice.kind == NoticeKind.REVIEW_WAITING:
        return reverse("kyc:queue")
    if notice.kind == NoticeKind.REVIEW_RETURNED:
        return reverse("cases:resume", args=[notice.case_id])
    return reverse("submissions:status", args=[notice.case_id])


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _decision_mail(notice: Notice, reasons: Sequence[Promise | str]) -> tuple[str, str]:
    """The subject and body of the e-mail telling the RM what compliance decided."""
    returned = notice.kind == NoticeKind.REVIEW_RETURNED
    with translation.override(settings.LANGUAGE_CODE):
        subject = (
            _("An onboarding was returned by compliance")
            if returned
            else _("KYC approved for an onboarding")
        )
        body = render_to_string(
            "notices/decision_email.txt",
            {
                "notice": notice,
                "returned": returned,
                "reasons": [str(reason) for reason in reasons],
                "link": _link(notice_target(notice)),
            },
        )
    return subject, body


def _mail_keep_and_send(notice: Notice, subject: str, body: str) -> None:
    """Saves the notice and sends its e-mail. Only workers make these notices, after the
    decision or the step committed (`kyc.notify`, `operations.notify`), so no mail server is
    waited for inside a step or a request; one that refuses it leaves the e-mail to the
    outbox's sweep."""
    notice.emailed_at = timezone.now()
    notice.save()
    mail_send_or_keep(
        kind=MAILED_AT_ONCE[NoticeKind(notice.kind)],
        recipient_id=notice.recipient_id,
        to=[notice.recipient.email],
        subject=subject,
        body=body,
    )


def notices_mail_waiting(*, now: datetime.datetime | None = None) -> int:
    """One e-mail per compliance officer for the reviews that began waiting since their last,
    at most one per NOTICES_BATCH_SECONDS. Returns how many e-mails went out."""
    now = now or timezone.now()
    batch = datetime.timedelta(seconds=settings.NOTICES_BATCH_SECONDS)
    pending = Notice.objects.filter(
        kind=NoticeKind.REVIEW_WAITING, emailed_at__isnull=True, read_at__isnull=True
    )
    sent = 0
    for recipient_id in sorted(set(pending.values_list("recipient_id", flat=True))):
        last = Notice.objects.filter(
            recipient_id=recipient_id, kind=NoticeKind.REVIEW_WAITING
        ).aggregate(last=Max("emailed_at"))["last"]
        if last is not None and now - last < batch:
            continue
        with transaction.atomic():
            notices = list(
                pending.filter(recipient_id=recipient_id)
                .select_for_update(skip_locked=True)
                .select_related("recipient")
            )
            if not notices:
                continue
            recipient = notices[0].recipient
            with translation.override(settings.LANGUAGE_CODE):
                subject = ngettext(
                    "%(count)s onboarding waits for KYC review",
                    "%(count)s onboardings wait for KYC review",
                    len(notices),
                ) % {"count": len(notices)}
                body = render_to_string(
                    "notices/waiting_email.txt",
                    {
                        "recipient": recipient,
                        "count": len(notices),
                        "link": _link(reverse("kyc:queue")),
                    },
                )
            Notice.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=now)
            # The in-app notices are there either way; a mail server that is down delays only
            # this e-mail (the outbox tries it again), and the next batch does not repeat it.
            mail_queue(
                kind=MailKind.REVIEW_WAITING,
                recipient_id=recipient.pk,
                to=[recipient.email],
                subject=subject,
                body=body,
            )
            sent += 1
    return sent
