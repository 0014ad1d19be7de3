"""Screening a case's client against the loaded sanctions and PEP lists, and the officer's
decision on each hit.

A case is screened when its KYC review opens, again when the client's names, birth date or
nationality change, and again for every client when a list changes (`tasks.py`). Hits are
`ScreeningHit` rows: one per listed entity and version of its data, so a decision holds
through re-screenings until the entity's data changes. Approval waits until every hit the
latest screening found is decided, and is refused while one is decided as the client.
"""

import datetime
import statistics
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onboarding.accounts.models import Tenant, User
from onboarding.audit.models import EventKind
from onboarding.audit.services import event_record
from onboarding.cases.lifecycle import Section
from onboarding.cases.models import Case
from onboarding.core.compiled import CompiledRead
from onboarding.core.crypto import search_hash
from onboarding.kyc.models import (
    HitDecision,
    Review,
    ScreeningHit,
    ScreeningReason,
    ScreeningRun,
)
from onboarding.kyc.rating import ScreeningFacts
from onboarding.screening.matching import Hit, Person, current_versions, screen_person

# The fields of the client's sections a screening reads: a change to one screens again.
NAME_FIELDS = ("first_name", "paternal_last_name", "maternal_last_name")
BIRTH_FIELD = "date_of_birth"
COUNTRY_FIELDS = ("country_of_citizenship", "country_of_birth")


class HitRefused(Exception):
    """A decision on a hit that cannot be recorded; `message` says why, for the hit."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _first(draft: dict[str, list[str]] | None, name: str) -> str:
    values = (draft or {}).get(name) or [""]
    return str(values[0]).strip()


def case_person(*, case: Case) -> Person | None:
    """The client as screened: the full name as typed (the matcher copes with a listed name
    that lacks the second surname), birth date and countries, from the case's sections. None
    without a name."""
    client = case.draft(Section.CLIENT)
    sales = case.draft(Section.SALES)
    given = _first(client, "first_name")
    paternal = _first(client, "paternal_last_name")
    maternal = _first(client, "maternal_last_name")
    if not (given and paternal):
        return None
    names = [" ".join(part for part in (given, paternal, maternal) if part)]
    try:
        birth_date = datetime.date.fromisoformat(_first(client, BIRTH_FIELD))
    except ValueError:
        birth_date = None
    countries = sorted({_first(sales, name) for name in COUNTRY_FIELDS} - {""})
    return Person(names=names, birth_date=birth_date, countries=countries)


def person_digest(person: Person) -> str:
    """A keyed hash of what is screened: equal while the names, birth date and countries are."""
    parts = [*person.names, str(person.birth_date or ""), *person.countries]
    return search_hash("|".join(parts), purpose="screening-person")


def _explanation(hit: Hit) -> dict[str, Any]:
    return {
        "caption": hit.caption,
        "schema": hit.schema,
        "parts": hit.parts,
        "names": [
            {"client": pair.client, "listed": pair.listed, "score": pair.score}
            for pair in hit.names
        ],
        "birth_dates": hit.birth_dates,
        "countries": hit.countries,
        "source_url": hit.source_url,
    }


@dataclass(frozen=True)
class Screened:
    run: ScreeningRun | None
    # Hits this screening found that no officer has decided yet, and were not there before.
    new: list[ScreeningHit]


def case_screen(
    *,
    case: Case,
    reason: ScreeningReason,
    actor: User | None,
    found: list[Hit] | None = None,
    first: bool = False,
) -> Screened:
    """Screens the case's client now (or keeps `found`, a screening just made) and keeps what
    was found; the hits the screening no longer finds are kept, inactive, with their
    decisions. `first`: the client was never screened, so no hit of theirs is active yet."""
    person = case_person(case=case)
    if person is None:
        return Screened(run=None, new=[])
    # The versions screened against are the ones the run records.
    versions = current_versions()
    found = screen_person(person=person, versions=versions) if found is None else found
    now = timezone.now()
    new: list[ScreeningHit] = []
    # Inside a caller's transaction no savepoint: nothing catches a failure here and goes on.
    with transaction.atomic(savepoint=False):
        kept: list[int] = []
        for hit in found:
            row, created = ScreeningHit.objects.get_or_create(
                case=case,
                entity_id=hit.entity_id,
                entity_digest=hit.digest,
                defaults={
                    "tenant_id": case.tenant_id,
                    "dataset": hit.dataset,
                    "list_version": hit.version,
                    "score": hit.score,
                    "topics": "," + ",".join(hit.topics) + "," if hit.topics else "",
                    "explanation": _explanation(hit),
                    "found_at": now,
                    "seen_at": now,
                },
            )
            if not created:
                ScreeningHit.objects.filter(pk=row.pk).update(
                    active=True,
                    seen_at=now,
                    score=hit.score,
                    list_version=hit.version,
                    explanation=_explanation(hit),
                )
            elif not row.decision:
                new.append(row)
            kept.append(row.pk)
        if not first:
            ScreeningHit.objects.filter(case=case, active=True).exclude(pk__in=kept).update(
                active=False
            )
        run = ScreeningRun.objects.create(
            tenant_id=case.tenant_id,
            case=case,
            reason=reason,
            person_digest=person_digest(person),
            versions={version.dataset: version.pk for version in versions},
            hits=len(kept),
            new=len(new),
            screened_at=now,
        )
        event_record(
            kind=EventKind.CASE_SCREENED,
            tenant=case.tenant_id,
            actor=actor,
            case=case,
            data={"reason": str(reason), "hits": len(kept), "new": len(new)},
        )
    return Screened(run=run, new=new)


def case_screened_changed(*, case: Case) -> bool:
    """Whether the client as screened last is no longer the client as the sections say."""
    last = ScreeningRun.objects.filter(case=case).first()
    if last is None:
        return False
    person = case_person(case=case)
    return person is not None and person_digest(person) != last.person_digest


# Read at every review's opening: built once (`core.compiled`).
_SCREENED = CompiledRead(
    lambda case_id: ScreeningRun.objects.filter(case_id=case_id).values_list("id")[:1]
)
_DECISIONS = CompiledRead(
    lambda case_id: ScreeningHit.objects.filter(case_id=case_id, active=True).values_list(
        "decision"
    )
)


def case_screen_for_review(*, case: Case, actor: User | None) -> None:
    """At a review's opening: the client is screened unless the last screening was of the
    client as they are now (a list change screens every client on its own)."""
    if not _SCREENED.rows(case.pk):
        case_screen(case=case, reason=ScreeningReason.SUBMITTED, actor=actor, first=True)
    elif case_screened_changed(case=case):
        case_screen(case=case, reason=ScreeningReason.CHANGED, actor=actor)


def screening_unchanged(*, case: Case, found: list[Hit]) -> bool:
    """Whether a screening found exactly what the case's latest screening found: nothing to
    record when a list change leaves a client as they were."""
    if not ScreeningRun.objects.filter(case=case).exists():
        return False
    active = ScreeningHit.objects.filter(case=case, active=True)
    return set(active.values_list("entity_id", "entity_digest")) == {
        (hit.entity_id, hit.digest) for hit in found
    }


def hits_of_case(*, case: Case) -> QuerySet[ScreeningHit]:
    """The hits the latest screening found, best first, with who decided them."""
    return ScreeningHit.objects.filter(case=case, active=True).select_related("decided_by")


def screening_facts(*, case: Case) -> ScreeningFacts:
    """What the latest screening found, as the risk rating reads it."""
    decisions = [decision for (decision,) in _DECISIONS.rows(case.pk)]
    return ScreeningFacts(
        undecided=decisions.count(""),
        possible=decisions.count(HitDecision.POSSIBLE),
        confirmed=decisions.count(HitDecision.CLIENT),
    )


def hits_undecided(*, review: Review) -> str:
    """Why an approval must wait for the screening: a hit undecided, or one decided as the
    client; empty when nothing in the screening stands in the way."""
    decisions = [decision for (decision,) in _DECISIONS.rows(review.case_id)]
    undecided = decisions.count("")
    if undecided:
        return _("Decide every screening hit before approving: %(count)s not decided yet.") % {
            "count": undecided
        }
    if HitDecision.CLIENT in decisions:
        return _(
            "A screening hit was decided as the client: return the case; it cannot be approved."
        )
    return ""


@dataclass(frozen=True)
class HitWeek:
    starts: datetime.date
    found: int
    # Of this week's hits decided so far, the share decided as not the client.
    not_client_share: float | None
    median_hours_to_decide: float | None


def hits_figures(*, tenant: Tenant, weeks: int = 8) -> list[HitWeek]:
    """Hits found per week (weeks starting on Monday, newest first), how many of them turned
    out not to be the client, and how long a decision took from the hit's finding."""
    today = timezone.localdate()
    first = today - datetime.timedelta(days=today.weekday() + 7 * (weeks - 1))
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    rows = ScreeningHit.objects.filter(tenant=tenant, found_at__gte=since).values_list(
        "found_at", "decision", "decided_at"
    )
    by_week: dict[datetime.date, list[tuple[str, float | None]]] = {}
    for found_at, decision, decided_at in rows:
        day = timezone.localtime(found_at).date()
        week = day - datetime.timedelta(days=day.weekday())
        hours = (decided_at - found_at).total_seconds() / 3600 if decided_at else None
        by_week.setdefault(week, []).append((decision, hours))
    result = []
    for number in range(weeks):
        week = first + datetime.timedelta(days=7 * number)
        hits = by_week.get(week, [])
        decided = [(decision, hours) for decision, hours in hits if decision]
        not_client = sum(1 for decision, _hours in decided if decision == HitDecision.NOT_CLIENT)
        times = [hours for _decision, hours in decided if hours is not None]
        result.append(
            HitWeek(
                starts=week,
                found=len(hits),
                not_client_share=not_client / len(decided) if decided else None,
                median_hours_to_decide=statistics.median(times) if times else None,
            )
        )
    return list(reversed(result))
