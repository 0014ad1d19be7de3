"""Screening after onboarding: a client screened again when their names, birth date or
nationality change, and every client when a list changes. A new hit on a client whose KYC
data is already in Altafid opens a review of its own ("new screening hit") for the tenant's
officers; a client still on the way to Altafid has the hit on the review it waits for, or
gets it when its review opens."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from onboarding.accounts.models import User
from onboarding.audit.models import EventKind
from onboarding.audit.services import event_record
from onboarding.cases.lifecycle import CaseStatus, StepKind, StepState
from onboarding.cases.locks import case_lock
from onboarding.cases.models import Case
from onboarding.kyc.hits import (
    Screened,
    case_person,
    case_screen,
    case_screened_changed,
    screening_facts,
    screening_unchanged,
)
from onboarding.kyc.models import (
    Rescreening,
    Review,
    ReviewKind,
    ReviewState,
    ScreeningHit,
    ScreeningReason,
    ScreeningRun,
)
from onboarding.kyc.notify import News, review_notices_after_commit
from onboarding.kyc.services import documents_seen, review_rate
from onboarding.screening.matching import PersonIndex, index_screen, screen_person
from onboarding.screening.models import ListEntity, ListVersion
from onboarding.submissions.models import Step
from onboarding.submissions.queueing import payload_digest

log = logging.getLogger(__name__)

# Cases that are not a client: never submitted.
NOT_CLIENTS = (CaseStatus.DRAFT, CaseStatus.READY, CaseStatus.DISCARDED)
# Clients screened between two writes of the progress.
PROGRESS_EVERY = 50


def screening_review_open(*, case: Case, actor: User | None) -> Review | None:
    """A review of the case's new screening hits, when its KYC data is already in Altafid
    and no review of it waits already (that one shows the hits). Called under the case's lock."""
    if Review.objects.filter(case=case, state=ReviewState.WAITING).exists():
        return None
    step = (
        Step.objects.filter(case=case, kind=StepKind.COMPLIANCE, state=StepState.SUCCEEDED)
        .order_by("-round")
        .first()
    )
    if step is None:
        return None
    body = step.payload or {}
    last = (
        Review.objects.filter(case=case, state=ReviewState.APPROVED).order_by("-decided_at").first()
    )
    review = Review.objects.create(
        tenant_id=case.tenant_id,
        case=case,
        step=step,
        kind=ReviewKind.SCREENING,
        body=body,
        digest=payload_digest(body),
        picture=last.picture if last is not None else body,
        flags=last.flags if last is not None else "",
        documents=documents_seen(case=case),
    )
    event_record(
        kind=EventKind.REVIEW_REQUESTED,
        tenant=case.tenant_id,
        actor=actor,
        case=case,
        data={"review": review.pk, "kind": ReviewKind.SCREENING.value},
    )
    review_notices_after_commit(review_id=review.pk, news=News.WAITING, actor=actor)
    return review


def client_rescreen(*, case_id: int, reason: ScreeningReason, actor: User | None = None) -> bool:
    """Screens one client again; True when a new hit was found.

    After a list change most clients match as before: they are screened without the case's
    lock and nothing is written for them (the `Rescreening` records that they were)."""
    found = None
    if reason == ScreeningReason.LISTS:
        case = Case.objects.only("pk", "tenant_id", "status", "erased_at", "drafts").get(pk=case_id)
        person = case_person(case=case)
        if case.erased_at is not None or case.status in NOT_CLIENTS or person is None:
            return False
        found = screen_person(person=person)
        if screening_unchanged(case=case, found=found):
            return False
    with transaction.atomic():
        case = case_lock(case_id=case_id)
        if case.erased_at is not None or case.status in NOT_CLIENTS:
            return False
        if reason == ScreeningReason.CHANGED and not case_screened_changed(case=case):
            return False
        screened: Screened = case_screen(case=case, reason=reason, actor=actor, found=found)
        waiting = Review.objects.filter(case=case, state=ReviewState.WAITING).first()
        if waiting is None and screened.new:
            waiting = screening_review_open(case=case, actor=actor)
        if waiting is not None:
            review_rate(review=waiting, screening=screening_facts(case=case))
        return bool(screened.new)


def _clients() -> QuerySet[Case]:
    """Every client of every tenant whose data is not erased."""
    return Case.objects.filter(erased_at__isnull=True).exclude(status__in=NOT_CLIENTS)


def rescreening_start(*, dataset: str, list_version: int) -> Rescreening:
    """Counts the clients and has a worker screen each of them again, once this commits."""
    from onboarding.kyc.tasks import clients_rescreen

    rescreening = Rescreening.objects.create(
        dataset=dataset, list_version=list_version, total=_clients().count()
    )
    transaction.on_commit(lambda: clients_rescreen.delay(rescreening.pk))
    return rescreening


def _changes_only(version: ListVersion) -> bool:
    """Whether comparing the version's changes is enough: every client was screened against
    the version it changed. Otherwise (a first version, a re-screening cut short by a later
    list) all of it is compared."""
    return (
        version.base_id is not None
        and Rescreening.objects.filter(
            list_version=version.base_id, finished_at__isnull=False, superseded=False
        ).exists()
    )


def _clients_to_screen(version: ListVersion, *, changes_only: bool) -> list[int]:
    """The clients a list change may have changed the screening of, in the order they are
    screened: those never screened, those with a hit on a listed person the new version no
    longer has as it was, and those a new or changed listed person scores a hit for. The
    others' screenings stand: the list they were screened against is unchanged for them."""
    clients = _clients()
    never = set(
        clients.exclude(Exists(ScreeningRun.objects.filter(case=OuterRef("pk")))).values_list(
            "pk", flat=True
        )
    )
    stale = set(
        ScreeningHit.objects.filter(active=True, dataset=version.dataset, case__in=clients)
        .exclude(
            Exists(
                ListEntity.objects.filter(
                    version=version,
                    entity_id=OuterRef("entity_id"),
                    digest=OuterRef("entity_digest"),
                )
            )
        )
        .values_list("case_id", flat=True)
    )
    matched: set[int] = set()
    if not changes_only or version.changed_count:
        index = PersonIndex()
        screened = clients.exclude(pk__in=never).only("pk", "tenant_id", "drafts")
        for case in screened.iterator(chunk_size=1000):
            person = case_person(case=case)
            if person is not None:
                index.add(case.pk, person)
        matched = index_screen(index=index, version=version, changed_only=changes_only)
    return sorted(never | stale | matched)


def rescreening_run(*, rescreening_id: int) -> Rescreening:
    """Screens again the clients a list change may have changed the screening of, after the
    last one done, writing the progress as it goes; every other client counts as done.

    The worker holds the re-screening's lease, renewed with each write of the progress, so
    that two never screen the same clients: a copy of the task that arrives while it is held
    (the sweep sent it again) or once it is finished does nothing. A worker that finds its
    lease taken over stops."""
    rescreening = Rescreening.objects.get(pk=rescreening_id)
    lease = _rescreening_claim(rescreening_id=rescreening.pk)
    if lease is None:
        return rescreening
    version = ListVersion.objects.filter(pk=rescreening.list_version, is_current=True).first()
    if version is None:
        # A later version replaced this one: its re-screening compares all of it.
        Rescreening.objects.filter(pk=rescreening.pk, lease_expires_at=lease).update(
            superseded=True, finished_at=timezone.now(), lease_expires_at=None
        )
        rescreening.refresh_from_db()
        return rescreening
    changes_only = _changes_only(version)
    compared = version.changed_count if changes_only else version.entity_count
    to_screen = _clients_to_screen(version, changes_only=changes_only)
    standing = rescreening.total - len(to_screen)
    screened = sum(1 for case_id in to_screen if case_id <= rescreening.last_case_id)
    new_hits, last = rescreening.new_hits, rescreening.last_case_id
    lease = _rescreening_progress(
        rescreening.pk,
        lease,
        changed_entities=compared,
        screened=len(to_screen),
        done=max(0, standing) + screened,
    )
    for case_id in to_screen:
        if lease is None:
            break
        if case_id <= last:
            continue
        new_hits += client_rescreen(case_id=case_id, reason=ScreeningReason.LISTS)
        screened, last = screened + 1, case_id
        if screened % PROGRESS_EVERY == 0:
            lease = _rescreening_progress(
                rescreening.pk,
                lease,
                done=max(0, standing) + screened,
                new_hits=new_hits,
                last_case_id=last,
            )
    if lease is None:
        # Its lease ran out while it worked, and another worker took the re-screening over.
        log.warning("re-screening %s: its lease was taken over, stopping", rescreening.pk)
    else:
        Rescreening.objects.filter(pk=rescreening.pk, lease_expires_at=lease).update(
            done=rescreening.total,
            new_hits=new_hits,
            last_case_id=last,
            finished_at=timezone.now(),
            lease_expires_at=None,
        )
    rescreening.refresh_from_db()
    return rescreening


def _lease_length() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.RESCREENING_LEASE_SECONDS)


def _rescreening_claim(*, rescreening_id: int) -> datetime.datetime | None:
    """Takes the lease of an unfinished re-screening nobody holds; its end, or None."""
    now = timezone.now()
    lease = now + _lease_length()
    claimed = (
        Rescreening.objects.filter(pk=rescreening_id, finished_at__isnull=True)
        .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
        .update(lease_expires_at=lease)
    )
    return lease if claimed else None


def _rescreening_progress(
    rescreening_id: int, lease: datetime.datetime, **progress: int
) -> datetime.datetime | None:
    """Writes the progress and renews the lease, if this worker still holds it; the new end
    of the lease, or None when another worker took it over."""
    renewed = timezone.now() + _lease_length()
    kept = Rescreening.objects.filter(pk=rescreening_id, lease_expires_at=lease).update(
        lease_expires_at=renewed, **progress
    )
    return renewed if kept else None


def rescreenings_resume() -> int:
    """Sends again the re-screenings whose worker was lost (their lease ran out) or whose task
    never started; they go on after the last client done. Returns how many."""
    from onboarding.kyc.tasks import clients_rescreen

    now = timezone.now()
    lost = Rescreening.objects.filter(finished_at__isnull=True).filter(
        Q(lease_expires_at__lt=now)
        | Q(lease_expires_at__isnull=True, started_at__lt=now - _lease_length())
    )
    resent = 0
    for rescreening_id in lost.values_list("pk", flat=True):
        clients_rescreen.delay(rescreening_id)
        resent += 1
    return resent


def rescreening_latest() -> Rescreening | None:
    """The latest re-screening of every client, for the health page."""
    return Rescreening.objects.first()
