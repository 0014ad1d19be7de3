"""Small helpers the benchmarks share; importing this module changes nothing.

The in-process benchmarks on PostgreSQL (`review_queue.py`, `scale.py`) call
`production_environment` before Django is set up, then seed with `database_fresh`,
`sample_case` and `copy_rows`, sign people in with `signed_in`, time pages with `timed` and
`percentiles`, and print plans with `plans_print` and page weights with `page_weight`.
"""

import base64
import gzip
import itertools
import os
import re
import socket
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_ensure(url: str) -> None:
    """Creates the PostgreSQL database the URL names, if it does not exist yet. The password
    may come apart from the URL, as the app reads it (DATABASE_PASSWORD)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    password = (
        {"password": os.environ["DATABASE_PASSWORD"]} if "DATABASE_PASSWORD" in os.environ else {}
    )
    with psycopg.connect(
        url.rsplit("/", 1)[0] + "/postgres", autocommit=True, **password
    ) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def sandbox_environment(port: int) -> None:
    """Points the settings at a local sandbox explicitly: production settings refuse to fall
    back to it on their own."""
    from onboarding.altafid.sandbox import defaults

    os.environ["ALTAFID_SANDBOX_PORT"] = str(port)
    os.environ["ALTAFID_BASE_URL"] = f"http://127.0.0.1:{port}"
    os.environ["ALTAFID_ALLOW_HTTP"] = "true"
    os.environ["ALTAFID_LOGIN_EMAIL"] = defaults.SERVICE_USER_EMAIL
    os.environ["ALTAFID_LOGIN_PASSWORD"] = defaults.SERVICE_USER_PASSWORD
    os.environ["ALTAFID_TENANT_UUID"] = defaults.TENANT_UUID
    os.environ["ALTAFID_USER_EMAIL"] = defaults.SERVICE_USER_EMAIL
    os.environ["ALTAFID_USER_ID"] = defaults.SERVICE_USER_ID


def production_environment(*, database_url: str, prefix: str) -> int:
    """Production settings (DEBUG off) on `database_url`, before Django is set up; returns the
    port of the sandbox the settings name (start it with `Sandbox(port=...)` when needed)."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "onboarding.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + "k" * 60,
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
            "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"b" * 32).decode(),
            "SEARCH_HASH_KEY": "bench-search-hash-key-" + "s" * 20,
            "EMAIL_DISABLED": "true",
            "LOG_LEVEL": "ERROR",
            # A cache and static files of its own: a lookup failure cached by another run
            # would stop the sample case, and production settings serve collected, hashed
            # files.
            "DATA_DIR": tempfile.mkdtemp(prefix=prefix),
        }
    )
    os.environ.pop("REDIS_URL", None)
    port = free_port()
    sandbox_environment(port)
    return port


def database_fresh() -> None:
    """Empties the benchmark's database and migrates it."""
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def sample_case(*, tenant: Any, rm: Any, port: int) -> tuple[Any, dict[str, Any]]:
    """One case filled in through the services, as an RM would (its lookups from a sandbox
    started for it), and the body of each of its five calls."""
    from django.conf import settings

    from onboarding.altafid.sandbox.server import Sandbox
    from onboarding.cases.payloads import case_payloads
    from onboarding.cases.services import case_create, case_sections
    from onboarding.documents.demo import case_fill

    sandbox = Sandbox(port=port).start()
    assert sandbox.base_url == settings.ALTAFID_BASE_URL
    try:
        sample = case_fill(case_create(tenant=tenant, owner=rm), rm)
        bodies = {
            call.name: call.body
            for call in case_payloads(case=sample, sections=case_sections(case=sample))
        }
    finally:
        sandbox.stop()
    assert bodies["compliance"], "the sample case must be complete"
    assert bodies["sales"], "the sample case must be complete"
    return sample, bodies


def copy_rows(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Writes rows with PostgreSQL's COPY: every column of the model, each value as given
    (by attribute name, e.g. `case_id`) or the field's default, prepared by its field as a
    save would (an encrypted field encrypts, a JSON field adapts). A row without `id` takes
    the next from the table's sequence; after rows with ids, call `sequences_reset`."""
    from django.db import connection, models

    plain = (
        models.AutoField,
        models.BigAutoField,
        models.IntegerField,
        models.CharField,
        models.BooleanField,
        models.DateTimeField,
        models.ForeignKey,
    )
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    columns = [f for f in model._meta.concrete_fields if f.attname in first or f.attname != "id"]
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    # Plain columns go as they are; the rest through the field, as Django saves them.
    prepare = [(f.attname, None if isinstance(f, plain) else f, f.get_default) for f in columns]
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in itertools.chain([first], rows):
            values = []
            for attname, field, default in prepare:
                value = row[attname] if attname in row else default()
                if field is not None:
                    value = field.get_db_prep_save(value, connection)
                values.append(value)
            copy.write_row(values)
            count += 1
    return count


def sequences_reset(*models_: Any) -> None:
    """Moves the tables' id sequences past the ids written by hand."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models_)):
            cursor.execute(statement)


def vacuum_analyze() -> None:
    """As autovacuum leaves tables in production: statistics and the visibility map (which
    lets counts read only an index)."""
    from django.db import connection

    connection.ensure_connection()
    autocommit = connection.get_autocommit()
    connection.set_autocommit(True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.set_autocommit(autocommit)


def signed_in(user: Any) -> Any:
    """A test client signed in as `user`, past the second factor when they are enrolled or
    their role requires it (TWO_FACTOR_REQUIRED is on in production): a confirmed TOTP device
    and the session mark a verified sign-in leaves, so each request pays django-otp's check."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from onboarding.accounts.two_factor import two_factor_enrolled, two_factor_required

    client = Client()
    client.force_login(user)
    if two_factor_required(user=user) or two_factor_enrolled(user=user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(
            user=user, name="authenticator", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def timed(request: Callable[[], Any], requests: int, *, warm: int = 3) -> list[float]:
    """Milliseconds of each of `requests` calls of `request`, after `warm` untimed ones."""
    for _ in range(warm):
        request()
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        request()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentiles(timings: list[float]) -> tuple[float, float]:
    """p50 and p95 of the timings."""
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def plans_print(captured: list[dict[str, Any]], *, slowest: int = 3, width: int = 160) -> None:
    """EXPLAIN ANALYZE of the slowest reads among the captured queries (the SQL Django
    recorded, parameters inlined)."""
    from django.db import connection

    reads = [query for query in captured if query["sql"].lstrip().upper().startswith("SELECT")]
    reads.sort(key=lambda query: float(query["time"]), reverse=True)
    for query in reads[:slowest]:
        sql = query["sql"]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [line for (line,) in cursor.fetchall()]
        shown = sql if len(sql) <= width else sql[: width - 1] + "…"
        print(f"    [{float(query['time']) * 1000:.1f} ms] {shown}")
        for line in lines:
            print("      " + line)


ASSET = re.compile(r'<(?:script[^>]* src|link[^>]* href|img[^>]* src)="(/static/[^"]+)"')


def page_weight(client: Any, url: str) -> tuple[int, int, int]:
    """A page's first load: (bytes sent, bytes uncompressed, assets), its HTML as the gzip
    middleware sends it and each CSS, JS and image file it references as WhiteNoise sends it
    (its compressed copy when there is one, gzip otherwise)."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage

    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200, (url, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.headers.get("Content-Encoding") == "gzip":
        sent, html = len(body), gzip.decompress(body)
    else:
        sent, html = len(gzip.compress(body)), body
    raw = len(html)
    assets = ASSET.findall(html.decode())
    for path in assets:
        name = path.removeprefix("/" + settings.STATIC_URL.strip("/") + "/")
        try:
            found = Path(staticfiles_storage.path(name))
        except NotImplementedError:
            found = Path("")
        if not found.is_file():
            found = Path(str(finders.find(name) or ""))
        assert found.is_file(), path
        content = found.read_bytes()
        raw += len(content)
        compressed = Path(f"{found}.gz")
        if compressed.is_file():
            sent += compressed.stat().st_size
        else:
            sent += min(len(content), len(gzip.compress(content)))
    return sent, raw, len(assets)
