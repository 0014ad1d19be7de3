"""Server time and weight of the main pages with 100,000 cases on PostgreSQL.

Seeds PostgreSQL (the database in BENCH_DATABASE_URL, default a local `bench_scale`, created
if missing, emptied first) with 2 tenants, 50 RMs (25 a tenant), 2 compliance officers and
an admin a tenant, and `--cases` onboardings spread over the RMs in a realistic mix of states:
drafts (some untouched for weeks) and ready ones, submissions under way, held for KYC review,
returned by compliance, failed (refused values to fix, Altafid unavailable until the tries
ran out, a create needing a decision; a tenth of them marked resolved), in Altafid,
activated (some amended since), being amended, cancelled and discarded; each with its steps,
attempts, reviews, notices and audit events as the services and the worker leave them
(not the section revisions: no measured page reads them).

The seed is one case filled in through the services (its lookups from a sandbox) whose
drafts and five call bodies every case carries with a client of its own (name, e-mail, RUT),
written by COPY with each value prepared by its model field: drafts, bodies and review
notes are encrypted as the app encrypts them, identity numbers hashed by the app's
`search_hash`, so the list's search by name and by RUT finds them. About three minutes for
100,000 cases on 2 cores (2 million audit events, 400,000 steps and attempts).

Then, warm, through Django's test client with production settings (DEBUG off, two-factor
sign-in passed), it times each page `--requests` times after a few untimed requests and prints
p50/p95 (target: p95 ≤ 50 ms): the RM's case list, searched by a name and by a RUT (a POST
keeps the term in the session, then `?search=1`), each role's home page, the KYC review
queue, the failure queue, and the failure CSV export's first byte (its header row) and first
row (the first that needs the query). Then each page's first-load weight (HTML and assets,
compressed as sent; target ≤ 100 KB) and the plans (EXPLAIN ANALYZE) of the slowest queries
of each page.

    uv run python bench/scale.py [--cases 100000] [--requests 200] [--reuse] [--no-plans]
        [--only TEXT] [--queries] [--no-weights]

`--reuse` times what an earlier run seeded (with at least `--cases` cases) without seeding
again, e.g. after adding an index: the run migrates the database first. `--only "failure"`
times only the pages whose label has that text; `--queries` lists every query of each page
with its time. The figures are of one process on the machine that runs PostgreSQL (its
settings as installed); other work on the machine moves the p95s by several milliseconds.
"""

import argparse
import datetime
import gc
import os
import random
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import production_environment

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_scale"
)
SANDBOX_PORT = production_environment(database_url=DATABASE_URL, prefix="bench-scale-")

TENANTS = 2
RMS = 50
OFFICERS = 2  # a tenant, as ADMINS
ADMINS = 1
CHUNK = 5_000
TARGET_MS = 50.0
TARGET_KB = 100.0

# What share of cases (per thousand) is in each state; failures come in three kinds.
MIX = (
    ("draft", 120),
    ("ready", 30),
    ("submitted", 20),
    ("in_review", 60),
    ("returned", 25),
    ("failed_fix_data", 10),
    ("failed_retry", 10),
    ("failed_decision", 5),
    ("in_altafid", 120),
    ("activated", 500),
    ("amending", 20),
    ("cancelled", 50),
    ("discarded", 30),
)
FIRST_NAMES = [
    "María",
    "José",
    "Juan",
    "Francisca",
    "Camila",
    "Javiera",
    "Catalina",
    "Valentina",
    "Fernanda",
    "Constanza",
    "Daniela",
    "Carolina",
    "Andrea",
    "Paula",
    "Sofía",
    "Isidora",
    "Antonia",
    "Martina",
    "Florencia",
    "Agustina",
    "Benjamín",
    "Vicente",
    "Matías",
    "Martín",
    "Sebastián",
    "Tomás",
    "Diego",
    "Nicolás",
    "Felipe",
    "Joaquín",
    "Cristóbal",
    "Ignacio",
    "Francisco",
    "Pedro",
    "Pablo",
    "Rodrigo",
    "Gonzalo",
    "Andrés",
    "Carlos",
    "Alejandro",
]
SURNAMES = [
    "González",
    "Muñoz",
    "Rojas",
    "Díaz",
    "Pérez",
    "Soto",
    "Contreras",
    "Silva",
    "Martínez",
    "Sepúlveda",
    "Morales",
    "Rodríguez",
    "López",
    "Fuentes",
    "Hernández",
    "Torres",
    "Araya",
    "Flores",
    "Espinoza",
    "Valenzuela",
    "Castillo",
    "Tapia",
    "Reyes",
    "Gutiérrez",
    "Castro",
    "Pizarro",
    "Álvarez",
    "Vásquez",
    "Sánchez",
    "Fernández",
    "Ramírez",
    "Carrasco",
    "Gómez",
    "Cortés",
    "Herrera",
    "Núñez",
    "Jara",
    "Vergara",
    "Rivera",
    "Figueroa",
    "Riquelme",
    "García",
    "Miranda",
    "Bravo",
    "Vera",
    "Molina",
    "Vega",
    "Campos",
    "Sandoval",
    "Orellana",
    "Zúñiga",
    "Olivares",
    "Alarcón",
    "Gallardo",
    "Ortiz",
    "Garrido",
    "Salazar",
    "Guzmán",
    "Henríquez",
    "Saavedra",
]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


@dataclass
class Staff:
    tenant: Any
    rms: list[Any]
    officers: list[Any]
    admins: list[Any]


@dataclass
class Rows:
    """One chunk's rows, table by table, in the order they are written."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    resolutions: list[dict[str, Any]] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def _staff() -> list[Staff]:
    """The demo tenant with its three demo people, a second tenant, and the rest of the staff
    (without passwords: nobody signs in with one, and hashing 60 would take half a minute)."""
    from django.contrib.auth.models import Group

    from onboarding.accounts.demo import demo_data_seed
    from onboarding.accounts.models import StaffProfile, User
    from onboarding.accounts.roles import Role
    from onboarding.accounts.services import tenant_ensure

    rm, officer, admin = demo_data_seed(password="bench-password-1")
    first = rm.staff_profile.tenants.get()
    second = tenant_ensure(name="Andes Patrimonio", altafid_uuid="T0BENCH" + "0" * 26 + "2")
    groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
    staff = [Staff(first, [rm], [officer], [admin]), Staff(second, [], [], [])]
    names = iter(
        (first_name, surname)
        for surname in reversed(SURNAMES)
        for first_name in reversed(FIRST_NAMES)
    )
    number = 0
    for index, kept in enumerate(staff):
        wanted = {
            Role.RELATIONSHIP_MANAGER: (kept.rms, RMS // TENANTS),
            Role.COMPLIANCE_OFFICER: (kept.officers, OFFICERS),
            Role.ADMIN: (kept.admins, ADMINS),
        }
        for role, (people, count) in wanted.items():
            while len(people) < count:
                first_name, last_name = next(names)
                person = User.objects.create_user(
                    email=f"{role.value.split('_')[0]}{number}@bench{index + 1}.example",
                    first_name=first_name,
                    last_name=last_name,
                )
                person.groups.add(groups[role])
                profile = StaffProfile.objects.create(
                    user=person, altafid_staff_uuid=f"PS{number:032X}"
                )
                profile.tenants.add(kept.tenant)
                people.append(person)
                number += 1
    return staff


class Seeder:
    """Writes `count` cases with their history, a chunk at a time."""

    def __init__(self, *, staff: list[Staff], sample: Any, bodies: dict[str, Any]) -> None:
        from django.utils import timezone

        from onboarding.audit.services import field_changes
        from onboarding.cases.lifecycle import ORDER, SECTIONS, position
        from onboarding.submissions.masking import masked

        self.staff = staff
        self.now = timezone.now()
        self.dice = random.Random(13)
        self.drafts = sample.drafts
        self.states = sample.section_states
        self.version = sample.version
        self.bodies = bodies
        self.order = [kind.value for kind in ORDER]
        self.positions = {kind.value: position(kind.value) for kind in ORDER}
        self.sections = [section.value for section in SECTIONS]
        # What a section's first save records: which fields changed (never what they hold).
        self.changes = {
            section: field_changes(None, self.drafts[section]) for section in self.sections
        }
        self.sent = {kind: masked(body) for kind, body in bodies.items()}
        self.statuses = [status for status, weight in MIX for _ in range(weight)]
        self.case_id = self.step_id = self.review_id = 0

    def ids_from(self) -> None:
        from django.db.models import Max

        from onboarding.cases.models import Case
        from onboarding.kyc.models import Review
        from onboarding.submissions.models import Step

        self.case_id = Case.objects.aggregate(top=Max("id"))["top"] or 0
        self.step_id = Step.objects.aggregate(top=Max("id"))["top"] or 0
        self.review_id = Review.objects.aggregate(top=Max("id"))["top"] or 0

    def run(self, count: int) -> dict[str, int]:
        from django.db import transaction

        from bench.support import copy_rows, sequences_reset
        from onboarding.audit.models import Event
        from onboarding.cases.models import Case
        from onboarding.kyc.models import Review
        from onboarding.notices.models import Notice
        from onboarding.operations.models import Resolution
        from onboarding.submissions.models import Attempt, Step

        self.ids_from()
        written: dict[str, int] = {}
        tables = (
            ("cases", Case),
            ("steps", Step),
            ("attempts", Attempt),
            ("reviews", Review),
            ("resolutions", Resolution),
            ("notices", Notice),
            ("events", Event),
        )
        gc.disable()
        try:
            with transaction.atomic():
                for start in range(0, count, CHUNK):
                    rows = Rows()
                    for number in range(start, min(start + CHUNK, count)):
                        self.case(number, rows)
                    for name, model in tables:
                        written[name] = written.get(name, 0) + copy_rows(model, getattr(rows, name))
                    done = min(start + CHUNK, count)
                    if done % 20_000 == 0 or done == count:
                        print(f"  {done} cases written", flush=True)
                sequences_reset(Case, Step, Review)
        finally:
            gc.enable()
        return written

    # One case and everything that happened to it.

    def case(self, number: int, rows: Rows) -> None:
        from onboarding.cases.demo import rut_for
        from onboarding.cases.services import rut_body_hash
        from onboarding.core.crypto import search_hash

        dice = self.dice
        staff = self.staff[number % TENANTS]
        rm = staff.rms[(number // TENANTS) % len(staff.rms)]
        status = dice.choice(self.statuses)
        first, paternal, maternal = (
            dice.choice(FIRST_NAMES),
            dice.choice(SURNAMES),
            dice.choice(SURNAMES),
        )
        rut = rut_for(number * 7919)
        email = f"{_ascii(first)}.{_ascii(paternal)}{number}@correo.example"
        # The sample's values, and this client's in their place (drafts and bodies alike).
        values = {
            "Juan": first,
            "García": paternal,
            "López": maternal,
            "Juan García": f"{first} {paternal}",
            "juan@example.com": email,
            "12345678-5": rut,
            self.bodies["create"]["firmId"]: staff.tenant.altafid_uuid,
            self.bodies["create"]["contactManagerId"]: rm.staff_profile.altafid_staff_uuid,
        }
        self.case_id += 1
        case_id = self.case_id
        story = Story(self, rows, case_id, staff, rm, values)
        if status == "discarded":
            story.discarded()
        elif status in ("draft", "ready"):
            story.draft(complete=status == "ready")
        else:
            story.submitted(status)
        plain = story.saved.get("client", False)
        rows.cases.append(
            {
                "id": case_id,
                "tenant_id": staff.tenant.pk,
                "owner_id": rm.pk,
                "client_name": f"{first} {paternal} {maternal}" if plain else "",
                "client_email": email if plain else "",
                "identity_hash": search_hash(rut) if plain else "",
                "identity_body_hash": rut_body_hash(rut) if plain else "",
                "status": story.status,
                "current_section": story.current_section,
                "drafts": story.drafts,
                "section_states": story.section_states,
                "version": story.version,
                "contact_uuid": story.contact_uuid,
                "duplicate_decision": "",
                "unsent_changes": story.status == "amending",
                "erased_at": None,
                "created_at": story.created,
                "updated_at": story.updated,
                "updated_by_id": rm.pk,
            }
        )

    def personal(self, value: Any, values: dict[str, str]) -> Any:
        if isinstance(value, dict):
            return {key: self.personal(item, values) for key, item in value.items()}
        if isinstance(value, list):
            return [self.personal(item, values) for item in value]
        if isinstance(value, str):
            return values.get(value, value)
        return value


class Story:
    """What the services and the worker leave behind for one case, written as rows."""

    def __init__(
        self,
        seeder: Seeder,
        rows: Rows,
        case_id: int,
        staff: Staff,
        rm: Any,
        values: dict[str, str],
    ) -> None:
        self.seeder = seeder
        self.dice = seeder.dice
        self.rows = rows
        self.case_id = case_id
        self.staff = staff
        self.rm = rm
        self.values = values
        self.status = "draft"
        self.current_section = "client"
        self.drafts: dict[str, Any] = {}
        self.section_states: dict[str, Any] = {}
        self.saved: dict[str, bool] = {}
        self.version = 1
        self.contact_uuid = ""
        self.created = seeder.now
        self.updated = seeder.now

    def event(self, kind: str, at: datetime.datetime, actor: Any = None, **data: Any) -> None:
        self.rows.events.append(
            {
                "tenant_id": self.staff.tenant.pk,
                "case_id": self.case_id,
                "staff_id": None,
                "actor_id": actor.pk if actor is not None else None,
                "kind": kind,
                "data": data,
                "created_at": at,
            }
        )

    def ago(self, low_days: float, high_days: float) -> datetime.datetime:
        return self.seeder.now - datetime.timedelta(days=self.dice.uniform(low_days, high_days))

    def later(self, at: datetime.datetime, low_s: float, high_s: float) -> datetime.datetime:
        return min(at + datetime.timedelta(seconds=self.dice.uniform(low_s, high_s)), self.now)

    @property
    def now(self) -> datetime.datetime:
        return self.seeder.now

    def sections_save(self, sections: list[str], at: datetime.datetime) -> datetime.datetime:
        """The RM's saves of these sections, each once or twice, from `at` on."""
        seeder = self.seeder
        drafts = seeder.personal({s: seeder.drafts[s] for s in sections}, self.values)
        for section in sections:
            for _ in range(self.dice.choice((1, 1, 2))):
                at = self.later(at, 30, 900)
                self.version += 1
                self.event(
                    "section_saved",
                    at,
                    self.rm,
                    section=section,
                    version=self.version,
                    fields=seeder.changes[section],
                    amendment=False,
                )
            self.section_states[section] = {**seeder.states[section], "version": self.version}
            self.saved[section] = True
        self.drafts.update(drafts)
        unsaved = [s for s in seeder.sections if s not in self.saved]
        self.current_section = unsaved[0] if unsaved else "activation"
        return at

    def draft(self, *, complete: bool) -> None:
        # A third of the drafts have not been touched for over a week.
        self.created = self.ago(8, 120) if self.dice.random() < 0.34 else self.ago(0, 7)
        self.event("case_created", self.created, self.rm)
        sections = self.seeder.sections
        kept = sections if complete else sections[: self.dice.choice((0, 1, 1, 2, 2, 3))]
        self.updated = self.sections_save(kept, self.created) if kept else self.created
        self.status = "ready" if complete else "draft"

    def discarded(self) -> None:
        self.created = self.ago(1, 365)
        self.event("case_created", self.created, self.rm)
        self.updated = self.later(self.created, 600, 86_400)
        self.event("case_discarded", self.updated, self.rm)
        self.status = "discarded"
        self.version = 2

    def submitted(self, status: str) -> None:
        recent = status in (
            "submitted",
            "in_review",
            "returned",
            "failed_fix_data",
            "failed_retry",
            "failed_decision",
        )
        if status == "submitted":
            at = self.ago(0, 0.01)
        elif recent:
            at = self.ago(0, 21)
        else:
            at = self.ago(1, 700)
        self.created = at - datetime.timedelta(days=self.dice.uniform(0, 3))
        self.event("case_created", self.created, self.rm)
        self.sections_save(self.seeder.sections, self.created)
        self.steps: dict[str, dict[str, Any]] = {}
        self.event("case_submitted", at, self.rm, version=self.version, first_step="create")
        for kind in self.seeder.order:
            self.step(kind)
        at = self.run("create", self.later(at, 0, 1), status)
        self.contact_uuid = "" if status == "failed_decision" else f"C{self.case_id:032X}"
        if status in ("failed_decision", "failed_retry"):
            self.updated = at
            self.status = "failed"
            return
        at = self.run("sales", self.later(at, 0, 2), status)
        if status in ("submitted", "failed_fix_data"):
            self.updated = at
            self.status = "submitted" if status == "submitted" else "failed"
            return
        if status == "cancelled":
            self.cancel(at)
            return
        at = self.review(self.later(at, 0, 1), status)
        if status in ("in_review", "returned"):
            self.updated = at
            self.status = status
            return
        at = self.run("compliance", self.later(at, 0, 2), "")
        if status == "in_altafid":
            self.updated = at
            self.status = status
            return
        at = self.later(at, 3600, 86_400 * 20)
        self.event("activation_requested", at, self.rm)
        at = self.run("primary_email", at, "")
        at = self.run("credentials", self.later(at, 0, 2), "")
        self.status = status
        if status == "amending" or self.dice.random() < 0.1:
            at = self.amend(self.later(at, 86_400, 86_400 * 60), send=status != "amending")
        self.updated = at

    def step(self, kind: str, round_: int = 1, payload: Any = None) -> dict[str, Any]:
        seeder = self.seeder
        self.seeder.step_id += 1
        body = seeder.bodies[kind] if payload is None else payload
        row = {
            "id": seeder.step_id,
            "case_id": self.case_id,
            "round": round_,
            "kind": kind,
            "position": seeder.positions[kind],
            "state": "waiting",
            "attempts": 0,
            "tries": 0,
            "queued_at": None,
            "run_after": None,
            "started_at": None,
            "lease_expires_at": None,
            "finished_at": None,
            "payload": seeder.personal(body, self.values),
            "payload_version": self.version,
            "approved_digest": "",
            "approved_by_id": None,
            "approved_at": None,
            "reconciled": False,
            "last_error": None,
            "updated_at": self.created,
        }
        self.rows.steps.append(row)
        if round_ == 1:
            self.steps[kind] = row
        return row

    def attempt(
        self,
        step: dict[str, Any],
        at: datetime.datetime,
        outcome: str,
        status: int | None,
        received: Any = None,
    ) -> datetime.datetime:
        from onboarding.submissions.masking import masked

        step["tries"] += 1
        step["attempts"] += 1
        self.event(
            "step_started", at, step=step["kind"], round=step["round"], attempt=step["tries"]
        )
        finished = self.later(at, 0.2, 1.5) if outcome else None
        self.rows.attempts.append(
            {
                "step_id": step["id"],
                "number": step["tries"],
                "started_at": at,
                "finished_at": finished,
                "outcome": outcome,
                "http_status": status,
                "sent": self.seeder.sent[step["kind"]],
                "received": masked(received),
            }
        )
        return finished or at

    def run(self, kind: str, at: datetime.datetime, status: str) -> datetime.datetime:
        """Queues the step and runs it to the end this case's state asks for."""
        from onboarding.altafid.errors import AltafidUnavailable, AltafidValidationError
        from onboarding.submissions.worker import POSSIBLE_DUPLICATE

        step = self.steps[kind]
        step.update(state="queued", queued_at=at, run_after=at, updated_at=at)
        self.event("step_queued", at, self.rm if kind == "create" else None, step=kind, round=1)
        at = self.later(at, 0.01, 0.3)
        path = "/contacts" if kind == "create" else f"/contacts/{self.case_id}/{kind}"
        if status == "submitted" and kind == "sales":
            self.attempt(step, at, "", None)
            step.update(
                state="running",
                started_at=at,
                lease_expires_at=at + datetime.timedelta(minutes=5),
                updated_at=at,
            )
            return at
        if status == "failed_retry" and kind == "create":
            error = AltafidUnavailable(
                "Service Unavailable", method="POST", path=path, status=503
            ).to_dict()
            for _ in range(5):
                done = self.attempt(step, at, "retry", 503)
                if step["tries"] < 5:
                    wait = 2 ** step["tries"]
                    self.event(
                        "step_retry",
                        done,
                        step=kind,
                        round=1,
                        attempt=step["tries"],
                        retry_in=float(wait),
                        status=503,
                    )
                    at = self.later(done, wait, wait + 1)
            step.update(
                state="failed",
                finished_at=done,
                last_error={**error, "payload_version": step["payload_version"]},
                updated_at=done,
            )
            self.event("step_failed", done, step=kind, round=1, outcome="retry", status=503)
            self.resolved(step)
            return done
        if status == "failed_decision" and kind == "create":
            done = self.attempt(step, at, "needs_attention", None)
            candidates = [f"C{self.case_id + 1_000_000:032X}", f"C{self.case_id + 2_000_000:032X}"]
            step.update(
                state="needs_attention",
                finished_at=done,
                last_error={
                    "message": "Altafid already has a contact with this identity number or e-mail.",
                    "code": POSSIBLE_DUPLICATE,
                    "candidates": candidates,
                },
                updated_at=done,
            )
            self.event("step_needs_attention", done, step=kind, round=1, outcome="needs_attention")
            self.resolved(step)
            return done
        if status == "failed_fix_data" and kind == "sales":
            error = AltafidValidationError(
                "Validation failed",
                method="PUT",
                path=path,
                status=400,
                code="VALIDATION_ERROR",
                field_errors={"annualIncome": ["must not be greater than totalNetWorth"]},
            ).to_dict()
            done = self.attempt(step, at, "failed", 400, {"errorCode": "VALIDATION_ERROR"})
            step.update(
                state="failed",
                finished_at=done,
                last_error={**error, "payload_version": step["payload_version"]},
                updated_at=done,
            )
            self.event(
                "step_failed",
                done,
                step=kind,
                round=1,
                outcome="failed",
                status=400,
                code="VALIDATION_ERROR",
            )
            self.resolved(step)
            return done
        # A tenth succeed at the second try, after Altafid was briefly unavailable.
        if self.dice.random() < 0.1:
            done = self.attempt(step, at, "retry", 503)
            self.event("step_retry", done, step=kind, round=1, attempt=1, retry_in=1.0, status=503)
            at = self.later(done, 1, 2)
        http = 201 if kind == "create" else 200
        done = self.attempt(step, at, "succeeded", http, {"contactUuid": f"C{self.case_id:032X}"})
        step.update(state="succeeded", finished_at=done, updated_at=done)
        self.event("step_succeeded", done, step=kind, round=1, outcome="succeeded")
        return done

    def resolved(self, step: dict[str, Any]) -> None:
        """A tenth of failures an admin marked resolved: they leave the queue."""
        if self.dice.random() < 0.1:
            admin = self.staff.admins[0]
            at = self.later(step["finished_at"], 600, 86_400)
            self.rows.resolutions.append(
                {
                    "step_id": step["id"],
                    "by_id": admin.pk,
                    "at": at,
                    "failed_at": step["finished_at"],
                    "note": "Handled by phone with Altafid support.",
                }
            )
            self.event("failure_resolved", at, admin, step=step["kind"], round=1)

    def review(self, at: datetime.datetime, status: str) -> datetime.datetime:
        """Compliance's review of the compliance body: waiting, returned, or approved."""
        from onboarding.submissions.queueing import payload_digest

        step = self.steps["compliance"]
        step.update(state="in_review", queued_at=None, updated_at=at)
        body = step["payload"]
        digest = payload_digest(body)
        officers = self.staff.officers
        officer = officers[self.case_id % len(officers)]
        pep = self.dice.random() < 0.1
        review = self.review_row(step, body, digest, at, pep)
        self.event(
            "review_requested",
            at,
            self.rm,
            review=review["id"],
            round=1,
            flags=["pep"] if pep else [],
        )
        for person in officers:
            self.notice(person, "review_waiting", at, read=status != "in_review")
        if status == "in_review":
            # A third taken by an officer; a fifth were returned once before and resubmitted.
            if self.dice.random() < 0.33:
                taken = self.later(at, 60, 86_400)
                review.update(assignee_id=officer.pk, assigned_at=taken)
                self.event("review_assigned", taken, officer, review=review["id"])
            return at
        decided = self.later(at, 3600, 86_400 * 3)
        review.update(
            assignee_id=officer.pk,
            assigned_at=decided,
            decided_by_id=officer.pk,
            decided_at=decided,
        )
        if status == "returned":
            notes = {
                "comment": "Falta el respaldo del patrimonio.",
                "fields": {"totalNetWorth": "Adjunte la declaración."},
            }
            review.update(state="returned", reasons=["missing_document"], notes=notes)
            step.update(state="returned", updated_at=decided)
            self.event(
                "review_returned",
                decided,
                officer,
                review=review["id"],
                reasons=["missing_document"],
                fields=["totalNetWorth"],
            )
            self.notice(self.rm, "review_returned", decided, read=self.dice.random() < 0.5)
            return decided
        review.update(state="approved")
        step.update(approved_digest=digest, approved_by_id=officer.pk, approved_at=decided)
        self.event("review_approved", decided, officer, review=review["id"], digest=digest)
        self.notice(self.rm, "review_approved", decided, read=True)
        return decided

    def review_row(
        self,
        step: dict[str, Any],
        body: Any,
        digest: str,
        at: datetime.datetime,
        pep: bool,
    ) -> dict[str, Any]:
        self.seeder.review_id += 1
        row = {
            "id": self.seeder.review_id,
            "tenant_id": self.staff.tenant.pk,
            "case_id": self.case_id,
            "step_id": step["id"],
            "state": "waiting",
            "opened_at": at,
            "assignee_id": None,
            "assigned_at": None,
            "decided_by_id": None,
            "decided_at": None,
            "body": body,
            "digest": digest,
            "picture": body,
            "flags": ",pep," if pep else "",
            "reasons": [],
            "notes": None,
        }
        self.rows.reviews.append(row)
        return row

    def notice(self, person: Any, kind: str, at: datetime.datetime, *, read: bool) -> None:
        self.rows.notices.append(
            {
                "recipient_id": person.pk,
                "tenant_id": self.staff.tenant.pk,
                "case_id": self.case_id,
                "kind": kind,
                "actor_id": None,
                "created_at": at,
                "read_at": self.later(at, 60, 86_400) if read else None,
                "emailed_at": self.later(at, 60, 900),
            }
        )

    def cancel(self, at: datetime.datetime) -> None:
        at = self.later(at, 600, 86_400 * 5)
        for kind in ("compliance", "primary_email", "credentials"):
            self.steps[kind].update(state="cancelled", updated_at=at)
            self.event("step_cancelled", at, self.rm, step=kind, round=1)
        self.event("case_cancelled", at, self.rm)
        self.status = "cancelled"
        self.updated = at

    def amend(self, at: datetime.datetime, *, send: bool) -> datetime.datetime:
        """The RM changed the income after activation; sent as round 2 unless still pending."""
        self.version += 1
        self.event(
            "section_saved",
            at,
            self.rm,
            section="sales",
            version=self.version,
            fields=[{"name": "annual_income"}],
            amendment=True,
        )
        if not send:
            return at
        at = self.later(at, 60, 3600)
        self.event(
            "amendment_submitted",
            at,
            self.rm,
            round=2,
            fields=["annualIncome"],
            version=self.version,
        )
        step = self.step("sales", round_=2, payload={"annualIncome": "95000000"})
        step.update(queued_at=at, run_after=at)
        self.event("step_queued", at, self.rm, step="sales", round=2)
        done = self.attempt(
            step,
            self.later(at, 0.01, 0.3),
            "succeeded",
            200,
            {"contactUuid": f"C{self.case_id:032X}"},
        )
        step.update(state="succeeded", finished_at=done, updated_at=done)
        self.event("step_succeeded", done, step="sales", round=2, outcome="succeeded")
        return done


def _seed(count: int) -> None:
    from bench.support import database_fresh, sample_case, vacuum_analyze

    started = time.perf_counter()
    database_fresh()
    staff = _staff()
    sample, bodies = sample_case(tenant=staff[0].tenant, rm=staff[0].rms[0], port=SANDBOX_PORT)
    print(f"seeding {count} cases over {TENANTS} tenants and {RMS} RMs…", flush=True)
    written = Seeder(staff=staff, sample=sample, bodies=bodies).run(count)
    wrote = time.perf_counter()
    vacuum_analyze()
    finished = time.perf_counter()
    print(
        f"seeded in {finished - started:.0f} s ({wrote - started:.0f} s writing, "
        f"{finished - wrote:.0f} s VACUUM ANALYZE): "
        + ", ".join(f"{rows} {name}" for name, rows in written.items())
    )


def _seeded_count() -> int:
    from django.db.utils import DatabaseError

    from onboarding.cases.models import Case

    try:
        return Case.objects.count()
    except DatabaseError:
        return 0


@dataclass(frozen=True)
class Page:
    label: str
    client: Any
    url: str
    # How many chunks of a streamed response make the time (1: its first byte).
    chunks: int = 0

    def request(self) -> None:
        response = self.client.get(self.url)
        assert response.status_code == 200, (self.label, self.url, response.status_code)
        if self.chunks:
            assert response.streaming, self.label
            content = iter(response.streaming_content)
            for _ in range(self.chunks):
                assert next(content), self.label
            response.close()


def _pages() -> list[Page]:
    from django.urls import reverse
    from stdnum.cl import rut as chile_rut

    from bench.support import signed_in
    from onboarding.accounts.models import User
    from onboarding.cases.models import Case

    rm = User.objects.get(email="rm@example.com")
    officer = User.objects.get(email="compliance@example.com")
    admin = User.objects.get(email="admin@example.com")
    # A client of this RM: searched by their paternal surname (as an RM types it, shared by
    # a few dozen of their clients) and by their RUT, with dots.
    client = Case.objects.filter(owner=rm).exclude(identity_hash="").order_by("pk").first()
    assert client is not None
    draft = client.drafts["client"]
    surname = draft["paternal_last_name"][0]
    rut = chile_rut.format(draft["identity_id"][0])
    cases = reverse("cases:list")
    searches = {}
    for term in (surname, rut):
        searcher = signed_in(rm)
        response = searcher.post(cases, {"q": term})
        assert response.status_code == 302, response.status_code
        searches[term] = searcher
    # The searches find what they look for: the RUT its client, the surname several.
    found = searches[rut].get(f"{cases}?search=1").content.decode()
    assert client.client_name in found, "the search by RUT must find its client"
    found = searches[surname].get(f"{cases}?search=1").content.decode()
    assert found.count(surname) > 3, "the search by name must find several clients"
    by_rm, by_officer, by_admin = signed_in(rm), signed_in(officer), signed_in(admin)
    home = "/"  # each role's home
    export = reverse("operations:export")
    return [
        Page("RM: case list", by_rm, cases),
        Page(f"RM: search, name ({surname})", searches[surname], f"{cases}?search=1"),
        Page("RM: search, RUT", searches[rut], f"{cases}?search=1"),
        Page("RM: home", by_rm, home),
        Page("officer: home", by_officer, home),
        Page("admin: home", by_admin, home),
        Page("officer: review queue", by_officer, reverse("kyc:queue")),
        Page("admin: failure queue", by_admin, reverse("operations:failures")),
        Page("admin: CSV, first byte", by_admin, export, chunks=1),
        Page("admin: CSV, first row", by_admin, export, chunks=2),
    ]


def _figures(pages: list[Page], requests: int, warm: int, *, listed: bool = False) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.support import percentiles, timed

    print(f"\nserver time, warm ({warm} untimed, then {requests} timed requests a page)")
    print(f"  {'page':<34} {'p50':>8} {'p95':>8} {'queries':>8}")
    missed = []
    for page in pages:
        p50, p95 = percentiles(timed(page.request, requests, warm=warm))
        with CaptureQueriesContext(connection) as queries:
            page.request()
        mark = "" if p95 <= TARGET_MS else "  > target"
        if mark:
            missed.append(page.label)
        print(
            f"  {page.label:<34} {p50:6.1f} ms {p95:6.1f} ms {len(queries.captured_queries):>8}"
            f"{mark}",
            flush=True,
        )
        if listed:
            for query in queries.captured_queries:
                print(f"      [{float(query['time']) * 1000:4.0f} ms] {query['sql'][:300]}")
    print(f"  target p95 ≤ {TARGET_MS:.0f} ms: " + (f"missed by {missed}" if missed else "met"))


def _weights(pages: list[Page]) -> None:
    from bench.support import page_weight

    print("\nfirst-load weight: HTML + assets, compressed as sent (uncompressed)")
    heaviest = 0.0
    for page in pages:
        if page.chunks:
            continue
        sent, raw, assets = page_weight(page.client, page.url)
        heaviest = max(heaviest, sent / 1000)
        print(f"  {page.label:<34} {sent / 1000:6.1f} KB ({raw / 1000:6.1f} KB), {assets} assets")
    print(f"  heaviest {heaviest:.1f} KB (target ≤ {TARGET_KB:.0f} KB)")


def _plans(pages: list[Page], slowest: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.support import plans_print

    print(f"\nplans of the {slowest} slowest queries of each page")
    for page in pages:
        if page.chunks == 1:
            continue  # the header row asks nothing; the first row's query is next
        with CaptureQueriesContext(connection) as queries:
            page.request()
        print(f"  {page.label}: {len(queries.captured_queries)} queries")
        plans_print(queries.captured_queries, slowest=slowest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests a page")
    parser.add_argument("--warm", type=int, default=5, help="untimed requests first")
    parser.add_argument(
        "--reuse", action="store_true", help="time an earlier run's seed, if big enough"
    )
    parser.add_argument("--plans", type=int, default=3, help="plans printed a page (0: none)")
    parser.add_argument("--no-plans", dest="plans", action="store_const", const=0)
    parser.add_argument("--only", default="", help="only the pages whose label has this text")
    parser.add_argument(
        "--queries", action="store_true", help="list every query of each page, with its time"
    )
    parser.add_argument("--no-weights", dest="weights", action="store_false")
    arguments = parser.parse_args()

    from bench.support import database_ensure

    database_ensure(DATABASE_URL)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from onboarding.altafid.sandbox.server import Sandbox

    call_command("collectstatic", interactive=False, verbosity=0)
    if arguments.reuse and _seeded_count() >= arguments.cases:
        call_command("migrate", verbosity=0)
        from bench.support import vacuum_analyze

        vacuum_analyze()
        print(f"reusing {_seeded_count()} cases seeded before")
    else:
        _seed(arguments.cases)
    # The lookups a page may show come from Altafid: the sandbox answers the first time, the
    # cache afterwards.
    sandbox = Sandbox(port=SANDBOX_PORT).start()
    assert sandbox.base_url == settings.ALTAFID_BASE_URL
    try:
        pages = [page for page in _pages() if arguments.only.lower() in page.label.lower()]
        _figures(pages, arguments.requests, arguments.warm, listed=arguments.queries)
        if arguments.weights:
            _weights(pages)
        if arguments.plans:
            _plans(pages, arguments.plans)
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
