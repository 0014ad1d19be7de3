"""Erasing a client's data: on request by an admin, after the retention period; key rotation."""

import datetime
import io
import threading
import time

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.roles import Role
from onboarding.audit.models import Event, EventKind
from onboarding.cases.demo import SALES
from onboarding.cases.lifecycle import CaseStatus, ErasureReason, Section
from onboarding.cases.models import Case, SectionRevision
from onboarding.cases.services import SectionLocked, case_create, case_section_save
from onboarding.documents.demo import case_fill
from onboarding.documents.models import Document
from onboarding.kyc.models import Review
from onboarding.operations.erasure import case_erase, cases_erase_expired
from onboarding.submissions.models import Step
from onboarding.submissions.services import case_activate
from tests.documents import samples
from tests.factories import TenantFactory, document_create, staff_create
from tests.submissions.conftest import steps_drive, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tenant):
    return staff_create(role=Role.ADMIN, tenants=[tenant], email="ana@example.com")


def _activated(case, rm):
    submit(case, rm)
    steps_drive(case)
    case_activate(case=case, user=rm)
    steps_drive(case)
    case.refresh_from_db()
    return case


def test_it_erases_the_clients_data_and_keeps_the_skeleton(ready_case, rm, sandbox, admin):
    case = _activated(ready_case, rm)
    contact = case.contact_uuid

    case_erase(case=case, user=admin, reason=ErasureReason.CLIENT_REQUEST)

    case.refresh_from_db()
    assert case.drafts == {}
    assert (case.client_name, case.client_email, case.identity_hash) == ("", "", "")
    assert case.erased_at is not None
    assert case.contact_uuid == contact
    assert case.status == CaseStatus.ACTIVATED
    assert not SectionRevision.objects.filter(case=case).exists()
    assert not Step.objects.filter(case=case, payload__isnull=False).exists()
    assert set(Step.objects.filter(case=case).values_list("state", flat=True)) == {"succeeded"}
    assert all(review.body == {} for review in Review.objects.filter(case=case))
    event = Event.objects.get(kind=EventKind.CASE_ERASED)
    assert (event.actor, event.data) == (admin, {"reason": "client_request"})
    assert Event.objects.filter(case=case).count() > 10
    with pytest.raises(SectionLocked):
        case_section_save(
            case=case, section=Section.SALES, raw=SALES, version=case.version, user=rm
        )


def _files(directory):
    return [path for path in directory.rglob("*") if path.is_file()]


def test_it_erases_the_documents_files_and_previews_with_the_case(
    ready_case, rm, admin, documents_dir, django_capture_on_commit_callbacks
):
    already = len(_files(documents_dir))
    document_create(case=ready_case)
    document_create(case=ready_case, kind="address", data=samples.pdf(pages=2))
    elsewhere = case_create(tenant=ready_case.tenant, owner=rm)
    kept = document_create(case=elsewhere)
    # Each file with a preview and a thumbnail per page.
    assert len(_files(documents_dir)) == already + 3 + 5 + 3

    with django_capture_on_commit_callbacks(execute=True):
        case_erase(case=ready_case, user=admin, reason=ErasureReason.CLIENT_REQUEST)

    assert list(Document.objects.all()) == [kept]
    assert sorted(path.name for path in _files(documents_dir)) == sorted(
        [kept.stored_name, *kept.previews, *kept.thumbnails]
    )


def test_it_erases_the_documents_after_the_retention_period(
    ready_case, rm, sandbox, settings, documents_dir, django_capture_on_commit_callbacks
):
    settings.RETENTION_DAYS = 90
    already = len(_files(documents_dir))
    document_create(case=ready_case)
    _activated(ready_case, rm)
    assert len(_files(documents_dir)) == already + 3

    with django_capture_on_commit_callbacks(execute=True):
        cases_erase_expired(now=timezone.now() + datetime.timedelta(days=91))

    assert not Document.objects.exists()
    assert _files(documents_dir) == []


def test_it_lets_only_the_tenants_admins_erase(client, ready_case, rm, admin):
    elsewhere = staff_create(role=Role.ADMIN, tenants=[TenantFactory()])
    url = reverse("operations:erase", args=[ready_case.pk])
    data = {"reason": "client_request", "confirm": "yes"}

    for person, status in ((rm, 403), (elsewhere, 404)):
        client.force_login(person)
        assert client.post(url, data).status_code == status
    client.force_login(admin)
    assert client.post(url, {"reason": "client_request"}).status_code == 302
    assert Case.objects.get(pk=ready_case.pk).erased_at is None

    response = client.post(url, data)

    assert response.status_code == 302
    assert Case.objects.get(pk=ready_case.pk).erased_at is not None
    assert client.get(url).status_code == 405


def test_it_shows_the_erase_form_to_admins_only(client, ready_case, rm, admin):
    client.force_login(admin)
    assert (
        "Erase the client"
        in client.get(reverse("cases:overview", args=[ready_case.pk])).content.decode()
    )
    client.force_login(rm)
    assert (
        "Erase the client"
        not in client.get(reverse("cases:overview", args=[ready_case.pk])).content.decode()
    )


def test_it_erases_activated_cases_after_the_retention_period(ready_case, rm, sandbox, settings):
    settings.RETENTION_DAYS = 90
    case = _activated(ready_case, rm)

    assert cases_erase_expired() == 0
    later = timezone.now() + datetime.timedelta(days=91)
    assert cases_erase_expired(now=later) == 1

    case.refresh_from_db()
    assert case.erased_at is not None
    event = Event.objects.get(kind=EventKind.CASE_ERASED)
    assert (event.actor, event.data) == (None, {"reason": "retention"})
    assert cases_erase_expired(now=later) == 0


def test_it_re_encrypts_everything_under_the_newest_key(ready_case, settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]

    output = io.StringIO()
    call_command("rotate_keys", stdout=output)

    settings.FIELD_ENCRYPTION_KEYS = [new]
    case = Case.objects.get(pk=ready_case.pk)
    assert case.drafts["client"]["first_name"] == ["Juan"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT drafts FROM cases_case WHERE id = %s", [case.pk])
        (stored,) = cursor.fetchone()
    assert Fernet(new.encode()).decrypt(stored.encode())
    assert "cases.Case: 1 rows re-encrypted (drafts, duplicate_reason)" in output.getvalue()


ERASED_TABLES = (
    "cases_case",
    "cases_sectionrevision",
    "submissions_step",
    "kyc_review",
    "notices_notice",
    "documents_document",
)


def _last_vacuums():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, last_vacuum FROM pg_stat_user_tables WHERE relname = ANY(%s)",
            [list(ERASED_TABLES)],
        )
        return dict(cursor.fetchall())


def _stored_anywhere(table, text):
    """Row versions of `table`, live or dead, and entries of its B-tree indexes holding `text`."""
    needle = text.encode().hex()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM generate_series(0, pg_relation_size(%s::regclass) "
            "/ current_setting('block_size')::int - 1) AS page, "
            "heap_page_items(get_raw_page(%s, page::int)) AS item "
            "WHERE position(decode(%s, 'hex') IN item.t_data) > 0",
            [table, table, needle],
        )
        (in_heap,) = cursor.fetchone()
        cursor.execute(
            "SELECT index.relname FROM pg_index JOIN pg_class index ON index.oid = indexrelid "
            "JOIN pg_am ON pg_am.oid = index.relam "
            "WHERE indrelid = %s::regclass AND amname = 'btree'",
            [table],
        )
        in_indexes = 0
        for (index,) in cursor.fetchall():
            cursor.execute(
                "SELECT count(*) FROM generate_series(1, pg_relation_size(%s::regclass) "
                "/ current_setting('block_size')::int - 1) AS page, "
                "bt_page_items(%s, page::int) AS item "
                "WHERE position(%s IN replace(item.data, ' ', '')) > 0",
                [index, index, needle],
            )
            in_indexes += cursor.fetchone()[0]
    return in_heap + in_indexes


def _fill(case, count):
    """`count` other cases of the tenant: a table of some size, where one erased case's pages
    are a small share (PostgreSQL then skips cleaning indexes unless told to)."""
    fields = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
    replaced = {"client_name": "'Filler ' || n", "client_email": "'filler-' || n || '@example.com'"}
    values = [replaced.get(column, column) for column in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO cases_case ({', '.join(fields)}) "  # noqa: S608 - the model's columns
            f"SELECT {', '.join(values)} FROM cases_case, generate_series(1, %s) AS n "
            "WHERE id = %s",
            [count, case.pk],
        )


@pytest.mark.django_db(transaction=True)
def test_it_vacuums_what_it_erased_so_no_row_version_keeps_the_client(ready_case, rm, admin):
    if connection.vendor != "postgresql":
        pytest.skip("VACUUM and the old row versions it removes are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    _fill(ready_case, 8000)
    name, email = ready_case.client_name, ready_case.client_email
    assert _stored_anywhere("cases_case", email) > 0
    before = _last_vacuums()

    case_erase(case=ready_case, user=admin, reason=ErasureReason.CLIENT_REQUEST)

    after = _last_vacuums()
    for table in ERASED_TABLES:
        assert after[table] is not None, table
        assert before[table] is None or after[table] > before[table], table
    assert _stored_anywhere("cases_case", name) == 0
    assert _stored_anywhere("cases_case", email) == 0


@pytest.mark.django_db(transaction=True)
def test_it_vacuums_once_after_the_retention_task_erased(ready_case, rm, sandbox, settings):
    if connection.vendor != "postgresql":
        pytest.skip("VACUUM is PostgreSQL's")
    settings.RETENTION_DAYS = 90
    _activated(ready_case, rm)

    with CaptureQueriesContext(connection) as queries:
        erased = cases_erase_expired(now=timezone.now() + datetime.timedelta(days=91))

    vacuums = [query["sql"] for query in queries if query["sql"].startswith("VACUUM")]
    assert erased == 1
    assert vacuums == [
        'VACUUM (INDEX_CLEANUP ON) "cases_case", "cases_sectionrevision", "submissions_step", '
        '"kyc_review", "notices_notice", "documents_document", "kyc_screeninghit", '
        '"kyc_screeningrun"'
    ]


def test_it_leaves_the_vacuum_when_a_transaction_is_still_open(
    ready_case, admin, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case_erase(case=ready_case, user=admin, reason=ErasureReason.CLIENT_REQUEST)

    assert Case.objects.get(pk=ready_case.pk).erased_at is not None
    if connection.vendor == "postgresql":
        assert "could not vacuum after an erasure (inside a transaction)" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_it_keeps_a_save_made_while_the_keys_rotate(ready_case, rm, settings):
    """A section saved from another connection while the rotation works through the cases."""
    if connection.vendor != "postgresql":
        pytest.skip("two connections at once need the test database on a server")
    other = case_fill(case_create(tenant=ready_case.tenant, owner=rm), rm)
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    saver = {}

    def save(case):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                saver["pid"] = cursor.fetchone()[0]
            saver["ready"].set()
            case_section_save(
                case=case,
                section=Section.SALES,
                raw={**SALES, "annual_income": ["4321000"]},
                version=case.version,
                user=rm,
            )
        finally:
            connection.close()

    def waiting_or_done(thread):
        """Until the save is done, or waits for a lock the rotation holds."""
        with psycopg.connect(**connection.get_connection_params(), autocommit=True) as watcher:
            while thread.is_alive():
                state = watcher.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                    [saver["pid"]],
                ).fetchone()
                if state and state[0] == "Lock":
                    return
                time.sleep(0.01)

    def first_case_update(execute, sql, params, many, context):
        if "thread" not in saver and sql.startswith('UPDATE "cases_case"'):
            # The rotation writes its first case: the other one is saved meanwhile.
            target = other if ready_case.pk in params else ready_case
            saver.update(target=target, version=target.version, ready=threading.Event())
            saver["thread"] = threading.Thread(target=save, args=[target])
            saver["thread"].start()
            saver["ready"].wait()
            waiting_or_done(saver["thread"])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(first_case_update):
        call_command("rotate_keys", stdout=io.StringIO())
    saver["thread"].join()

    settings.FIELD_ENCRYPTION_KEYS = [new]
    saved = Case.objects.get(pk=saver["target"].pk)
    assert saved.drafts["sales"]["annual_income"] == ["4321000"]
    assert saved.version == saver["version"] + 1
