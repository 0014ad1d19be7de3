"""Canary values through the whole flow: none may show in logs, broker messages, the cache,
the sessions, the database as stored (the plain name and e-mail columns of a case aside, by
design), the documents' files as stored, or any e-mail; and no invitation or password-reset
link in the logs."""

import datetime
import io
import json
import logging
import pickle
import re
import zlib
from functools import partial
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from onboarding.accounts.models import User
from onboarding.accounts.roles import Role
from onboarding.cases.demo import ACTIVATION, CLIENT, COMPLIANCE, SALES, rut_for
from onboarding.cases.lifecycle import Section
from onboarding.cases.services import case_create, case_section_save
from onboarding.documents.demo import sample_jpeg
from onboarding.documents.models import ConsentMethod, DocumentKind
from onboarding.documents.services import consent_record, document_attach
from onboarding.documents.storage import blob_read
from onboarding.kyc.models import Review, ReviewState
from onboarding.kyc.services import review_return
from onboarding.notices.services import notices_mail_waiting
from onboarding.operations.alerts import alerts_check
from onboarding.submissions.services import case_activate
from onboarding.web.logging import JsonFormatter, RedactingFilter
from tests.cases.conftest import rm, tenant  # noqa: F401 - shared fixtures
from tests.documents import samples
from tests.factories import document_create, staff_create
from tests.submissions.conftest import documents_verify, officer_of, steps_drive, submit

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zorbaqcanary", "Quixcanary"
EMAIL = "zq.canary@canary.example"
RUT = rut_for(7_654_321)
PHONE = "987650013"
INCOME = "777777701"
# Values that must never leave the drafts' encryption (the name and e-mail have plain columns).
SECRET = (RUT, RUT.replace("-", ""), PHONE, INCOME)
EVERYWHERE = (FIRST, LAST, EMAIL, *SECRET)


@pytest.fixture
def log_output():
    """What the production handler would write: the same filter and formatter, at DEBUG."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)


@pytest.fixture
def broker_messages(monkeypatch):
    from onboarding.submissions import tasks

    sent = []
    real = tasks.run_step.apply_async

    def spy(*args, **kwargs):
        sent.append(json.dumps([args, kwargs], default=str))
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks.run_step, "apply_async", spy)
    return sent


def _cache_contents() -> str:
    backend = cache._cache if hasattr(cache, "_cache") else None
    found = []
    if hasattr(backend, "get_client"):
        # On Redis the broker shares the database: its queued messages are read here too.
        client = backend.get_client()
        readers = {
            b"string": client.get,
            b"list": lambda key: client.lrange(key, 0, -1),
            b"set": client.smembers,
            b"zset": lambda key: client.zrange(key, 0, -1),
            b"hash": client.hgetall,
        }
        for key in client.scan_iter():
            kind = client.type(key)
            found.append(repr(key) + repr(readers.get(kind, lambda key: b"")(key)))
    else:
        for path in Path(cache._dir).rglob("*.djcache"):
            with path.open("rb") as handle:
                # This run's own cache files, as Django's file cache writes them.
                pickle.load(handle)  # noqa: S301 - the expiry
                found.append(repr(pickle.loads(zlib.decompress(handle.read()))))  # noqa: S301
    return "\n".join(found)


def _sessions_decoded() -> str:
    """Every stored session as Django reads it back (its rows are signed, not encrypted)."""
    from django.contrib.sessions.models import Session

    return "\n".join(repr(session.get_decoded()) for session in Session.objects.all())


def _database_dump() -> str:
    rows = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            columns = [
                field.column
                for field in model._meta.concrete_fields
                if not (table == "cases_case" and field.column in ("client_name", "client_email"))
            ]
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)


def _canary_case(tenant, rm):  # noqa: F811
    case = case_create(tenant=tenant, owner=rm)
    drafts = {
        Section.CLIENT: {
            **CLIENT,
            "first_name": [FIRST],
            "paternal_last_name": [LAST],
            "preferred_email": [EMAIL],
            "identity_id": [RUT],
            "phone_number": [PHONE],
        },
        Section.SALES: {**SALES, "annual_income": [INCOME]},
        Section.COMPLIANCE: COMPLIANCE,
        Section.ACTIVATION: ACTIVATION,
    }
    for section, raw in drafts.items():
        case.refresh_from_db()
        case_section_save(case=case, section=section, raw=raw, version=case.version, user=rm)
    case.refresh_from_db()
    # The RM's title of a document may name the client: it is stored encrypted too.
    document_attach(
        case=case,
        user=rm,
        kind=DocumentKind.IDENTITY,
        data=sample_jpeg(),
        title=f"Cédula {FIRST} {LAST} {RUT}",
    )
    consent_record(
        case=case,
        user=rm,
        notice_version="1.0",
        given_at=datetime.date(2026, 1, 5),
        method=ConsentMethod.IN_PERSON,
    )
    case.refresh_from_db()
    return case


def test_it_keeps_canary_values_out_of_logs_messages_cache_sessions_and_stored_rows(
    client,
    documents_dir,
    tenant,  # noqa: F811
    rm,  # noqa: F811
    sandbox,
    log_output,
    broker_messages,
    django_capture_on_commit_callbacks,
):
    case = _canary_case(tenant, rm)
    # The client's identity document, whose content (and the RM's title for it) name them.
    scan = document_create(
        case=case,
        kind="identity",
        data=samples.pdf(pages=2, text=f"{FIRST} {LAST} {RUT} {EMAIL}"),
        title=f"Cédula {RUT}",
    )
    photo = document_create(case=case, data=samples.png(text=f"{FIRST} {RUT}"))
    searching = Client()
    searching.force_login(rm)
    for term in (FIRST, RUT):
        searching.get(searching.post(reverse("cases:list"), {"q": term}).url)
    searching.post(reverse("cases:list"), {"q": LAST}, HTTP_HX_REQUEST="true")
    client.force_login(rm)
    client.get(reverse("cases:review", args=[case.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        submit(case, rm)
    steps_drive(case)
    client.force_login(officer_of(tenant))
    client.get(reverse("kyc:queue"))
    for document in (scan, photo):
        assert client.get(reverse("documents:file", args=[document.uid])).status_code == 200
        client.get(reverse("documents:preview", args=[document.uid, 1]))
        client.get(reverse("documents:thumbnail", args=[document.uid, 1]))
    with django_capture_on_commit_callbacks(execute=True):
        case_activate(case=case, user=rm)
    steps_drive(case)
    client.force_login(staff_create(role=Role.ADMIN, tenants=[tenant]))
    client.get(reverse("submissions:status", args=[case.pk]))
    logging.getLogger("onboarding.canary").warning("a careless log: %s %s", EMAIL, RUT)

    logs = log_output.getvalue()
    messages = "\n".join(broker_messages)
    cached = _cache_contents()
    stored = _database_dump()
    sessions = _sessions_decoded()
    files = b"\n".join(path.read_bytes() for path in documents_dir.rglob("*") if path.is_file())

    assert broker_messages, "the flow sent no task"
    assert RUT.encode() in blob_read(name=scan.stored_name), "the document does not name them"
    assert len(files) > 1000, "no document was stored"
    assert logs, "the flow logged nothing"
    assert "case_search" in sessions, "the flow searched for nothing"
    for value in EVERYWHERE:
        assert value not in logs, value
        assert value not in messages, value
        assert value not in cached, value
        assert value not in sessions, value
    for value in SECRET:
        assert value not in stored, value
    for value in EVERYWHERE:
        assert value.encode() not in files, value
    assert sandbox.contacts(tenant.altafid_uuid)[0]["identityId"] == RUT


# How e-mail leaves: kept for the test (as SMTP would send it), printed (development only),
# dropped (EMAIL_DISABLED in production).
BACKENDS = {
    "sent": "django.core.mail.backends.locmem.EmailBackend",
    "printed": "django.core.mail.backends.console.EmailBackend",
    "disabled": "django.core.mail.backends.dummy.EmailBackend",
}
# A link with its token, in an e-mail, a log or on the console.
TOKEN_LINK = re.compile(r"/(?:invitation|password/reset)/[\w-]+/[0-9a-z]{1,13}-[0-9a-f]{32}/")


@pytest.mark.usefixtures("notices_worker")
@pytest.mark.parametrize("delivery", sorted(BACKENDS))
def test_it_keeps_canary_values_out_of_every_e_mail_and_links_out_of_the_logs(
    client,
    tenant,  # noqa: F811
    rm,  # noqa: F811
    sandbox,
    settings,
    capsys,
    log_output,
    delivery,
    django_capture_on_commit_callbacks,
):
    """Every e-mail the app sends, over the whole flow: the review waiting, returned and
    approved, an alert, an invitation and a new one, a password reset."""
    from django.core import mail

    settings.EMAIL_BACKEND = BACKENDS[delivery]
    admin = staff_create(role=Role.ADMIN, tenants=[tenant], email="ana@example.com")
    officer = officer_of(tenant)
    case = _canary_case(tenant, rm)
    # What waits for the commit (e-mails, tasks) runs, as outside the test's own transaction.
    commit = partial(django_capture_on_commit_callbacks, execute=True)
    with commit():
        submit(case, rm)
    with commit():
        steps_drive(case, approve=False)
    with commit():
        assert notices_mail_waiting() == 1
    review = Review.objects.get(case=case, state=ReviewState.WAITING)
    with commit():
        review_return(
            review=review,
            user=officer,
            digest=review.digest,
            reasons=["inconsistent_data"],
            comment=f"{FIRST} {LAST}: check {RUT}",
            field_notes={},
        )
    with commit():
        submit(case, rm)
    with commit():
        steps_drive(case, approve=False)
    review = Review.objects.get(case=case, state=ReviewState.WAITING)
    client.force_login(officer)
    with commit():
        documents_verify(review, officer)
    with commit():
        client.post(reverse("kyc:take", args=[review.pk]), {"action": "assign"})
    with commit():
        decided = client.post(
            reverse("kyc:decide", args=[review.pk]),
            {"decision": "approve", "digest": review.digest, "attest": "yes"},
        )
    assert decided.status_code == 302
    with commit():
        steps_drive(case)
        case_activate(case=case, user=rm)
        steps_drive(case)
    with commit():
        assert alerts_check() >= 1
    client.force_login(admin)
    with commit():
        client.post(
            reverse("staff:invite"),
            {
                "email": "nuevo@example.com",
                "first_name": "Nuevo",
                "last_name": "Pérez",
                "role": "compliance_officer",
                "altafid_staff_uuid": "",
            },
        )
    member = User.objects.get(email="nuevo@example.com")
    with commit():
        client.post(reverse("staff:resend", args=[member.pk]))
    client.logout()
    with commit():
        client.post(reverse("accounts:password-reset"), {"email": rm.email})
    # The invited person opens their link, once as sent and once mistyped (a 404 is logged).
    link = reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(member.pk)),
            "token": default_token_generator.make_token(member),
        },
    )
    assert client.get(link).status_code == 302
    assert client.get(link + "x/").status_code == 404

    logs = log_output.getvalue()
    printed = capsys.readouterr().out
    assert "Not Found: /invitation/" in logs
    assert link not in logs
    assert not TOKEN_LINK.search(logs)
    if delivery == "sent":
        subjects = sorted(message.subject for message in mail.outbox)
        assert subjects == sorted(
            [
                "1 onboarding waits for KYC review",
                "An onboarding was returned by compliance",
                "KYC approved for an onboarding",
                f"Alert for {tenant.name}: No worker is running submissions",
                "You are invited to Altafid Onboarding",
                "You are invited to Altafid Onboarding",
                "Choose a new password for Altafid Onboarding",
            ]
        )
        texts = [f"{message.subject}\n{message.body}" for message in mail.outbox]
        assert len([text for text in texts if TOKEN_LINK.search(text)]) == 3
    else:
        assert mail.outbox == []
        texts = [printed]
    if delivery == "printed":
        assert printed.count("Subject: ") == 7
    if delivery == "disabled":
        assert printed == ""
    for value in EVERYWHERE:
        assert value not in logs, value
        for text in texts:
            assert value not in text, value
