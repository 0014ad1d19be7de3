"""Notices in the app and by e-mail: a review waiting (to the tenant's compliance officers, their
e-mails batched), a review returned or approved (to the case's RM, e-mailed at once).

E-mails name the client and nothing else about them: no comment, no note, no data.
"""

import datetime
import logging
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onboarding.accounts.models import Tenant, User
from onboarding.accounts.roles import Role
from onboarding.cases.models import Case
from onboarding.notices.models import Notice, NoticeKind

log = logging.getLogger(__name__)


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


def notices_review_waiting(*, case: Case, actor: User | None) -> list[Notice]:
    """Tells the tenant's compliance officers that a case waits; e-mails go in batches."""
    officers = User.objects.filter(
        is_active=True,
        staff_profile__tenants=case.tenant_id,
        groups__name=Role.COMPLIANCE_OFFICER.value,
    ).distinct()
    if actor is not None:
        officers = officers.exclude(pk=actor.pk)
    return Notice.objects.bulk_create(
        Notice(
            recipient=officer,
            tenant_id=case.tenant_id,
            case=case,
            kind=NoticeKind.REVIEW_WAITING,
            actor=actor,
        )
        for officer in officers
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
    notice = Notice.objects.create(
        recipient_id=case.owner_id, tenant_id=case.tenant_id, case=case, kind=kind, actor=actor
    )
    notice_id = notice.pk
    transaction.on_commit(lambda: _decision_mail(notice_id, reasons))


def notice_target(notice: Notice) -> str:
    """Where a notice leads: the review page for officers, the case for its RM."""
    if notice.kind == NoticeKind.REVIEW_WAITING:
        return reverse("kyc:queue")
    if notice.kind == NoticeKind.REVIEW_RETURNED:
        return reverse("cases:resume", args=[notice.case_id])
    return reverse("submissions:status", args=[notice.case_id])


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _decision_mail(notice_id: int, reasons: Sequence[Promise | str]) -> None:
    notice = Notice.objects.select_related("case", "recipient", "actor").get(pk=notice_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = (
            _("Returned by compliance: %(client)s")
            if notice.kind == NoticeKind.REVIEW_RETURNED
            else _("KYC approved: %(client)s")
        ) % {"client": notice.case.client_name}
        body = render_to_string(
            "notices/decision_email.txt",
            {
                "notice": notice,
                "returned": notice.kind == NoticeKind.REVIEW_RETURNED,
                "reasons": [str(reason) for reason in reasons],
                "link": _link(notice_target(notice)),
            },
        )
    _send(notice.recipient.email, subject, body)
    Notice.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())


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
                .select_related("case", "recipient")
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
                        "clients": sorted({n.case.client_name for n in notices}),
                        "link": _link(reverse("kyc:queue")),
                    },
                )
            Notice.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=now)
            transaction.on_commit(partial(_send, recipient.email, subject, body))
            sent += 1
    return sent


def _send(address: str, subject: str, body: str) -> None:
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[address])
    except OSError:
        # The in-app notice is there either way; a mail server that is down loses only the mail.
        log.warning("could not send a notice e-mail", exc_info=True)
