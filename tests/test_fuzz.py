"""Every form and query parameter of the app, sent bad values by each person who can open its
page: never a server error, and a refusal leaves the database as it was.

The URLs come from the URLconf (one without an entry in `_urls` fails the test); the forms,
their fields and the query parameters come from the pages themselves, as each person sees
them. The bad values are a fixed list, so every run sends the same requests. Each request
runs in a savepoint that is rolled back, so it meets the same data as the one before.
"""

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.contrib.messages import WARNING, get_messages
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from onboarding.accounts.roles import Role
from onboarding.cases.demo import rut_for
from onboarding.cases.services import case_create
from onboarding.documents.demo import case_fill
from onboarding.documents.models import Document
from onboarding.kyc.models import Review, ScreeningHit
from onboarding.notices.models import Notice
from onboarding.screening.models import ListVersion
from onboarding.submissions.models import Step
from onboarding.submissions.worker import step_run
from tests.cases.conftest import rm, tenant  # noqa: F401 - shared fixtures
from tests.documents import samples
from tests.factories import document_create, staff_create
from tests.submissions.conftest import ready_case, steps_drive, submit  # noqa: F401
from tests.test_permissions import PEOPLE, world  # noqa: F401 - the permission tests' people

pytestmark = pytest.mark.django_db

BAD_VALUES = (
    "\x00",
    "Ju\x00an",
    "\x1b[2J\x07",
    "Juan\nBcc: x@example.com",
    "\u2028\u202e",
    "x" * 5000,
    "99999999999999999999",
    "-1",
    "²",
)
NUL_VALUE = "Ju\x00an"
OTHER_VALUES = tuple(value for value in BAD_VALUES if "\x00" not in value)
# What a page gets from each further person who can open it.
FEW_VALUES = ("Ju\x00an", "99999999999999999999")
# Raw bodies a browser's form would never send: (content type, body).
BAD_BODIES = (
    ("application/json", b'{"version": 1, "q": "x"}'),
    ("text/plain", b"version=1"),
    ("application/xml", b"<a>1</a>"),
    ("application/x-www-form-urlencoded", b"version=\xff\xfe&q=\xc3\x28&\xff=1"),
    ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data\r\n\r\n\xff"),
)
# Forms this world does not show (no contact Altafid already has, nothing to activate, one
# tenant each): their URL and fields.
UNSHOWN_FORMS = {
    "cases:contact": ("decision", "contact"),
    "submissions:activate": ("confirm",),
    "accounts:tenant-switch": ("tenant", "next"),
}
# Not for the app to handle: Django's admin is the deployment administrator's.
SKIPPED_NAMESPACES = {"admin"}
# What a refused request may still write: the session; failed sign-ins and wrong codes counted.
UNWATCHED_TABLES = {
    "django_session",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
}
UNWATCHED_COLUMNS = {"throttling_failure_timestamp", "throttling_failure_count"}


@dataclass
class FoundForm:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    htmx: bool = False


class _PageReader(HTMLParser):
    """The forms of a page with their fields as rendered, and the query names of its links."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[FoundForm] = []
        self.link_names: set[str] = set()
        self._form: FoundForm | None = None
        self._buttons: set[str] = set()
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "a" and "?" in a.get("href", ""):
            self.link_names.update(name for name, _v in parse_qsl(urlsplit(a["href"]).query))
        elif tag == "form":
            action = a.get("hx-post") or a.get("hx-get") or a.get("action") or self.page_url
            method = "post" if "hx-post" in a else a.get("method", "get").lower()
            self._form = FoundForm(action, method, htmx="hx-post" in a or "hx-get" in a)
            self._buttons = set()
            self.forms.append(self._form)
        elif self._form is None or "name" not in a:
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind == "submit":
                self._button(a)
            elif kind not in ("file", "image", "reset", "button"):
                self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._button(a)
        elif tag == "select":
            self._select, self._select_value = a["name"], None
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in a:
                self._select_value = a.get("value", "")
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def _button(self, a: dict[str, str]) -> None:
        # The first button of a name is the one pressed (Save, rather than Next or Add).
        assert self._form is not None
        if a["name"] not in self._buttons:
            self._buttons.add(a["name"])
            self._form.fields.append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea, self._text))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data


def _patterns(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner not in SKIPPED_NAMESPACES:
                yield from _patterns(pattern, inner)
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


@pytest.fixture
def places(world, sandbox, settings, notices_worker, django_capture_on_commit_callbacks):  # noqa: F811
    """The permission tests' world, with a failed submission and a review waiting too."""
    people, case = world
    owner = people["owner"]
    settings.SUBMISSION_MAX_ATTEMPTS = 1
    failing = case_fill(
        case_create(tenant=case.tenant, owner=owner),
        owner,
        email="f@x.example",
        identity=rut_for(1),
    )
    submit(failing, owner)
    step_run(step_id=Step.objects.get(case=failing, kind="create").pk)
    sandbox.fail_next("unavailable", method="PUT", path_prefix="/api/contacts")
    failed = Step.objects.get(case=failing, kind="sales")
    step_run(step_id=failed.pk)
    held = case_fill(
        case_create(tenant=case.tenant, owner=owner),
        owner,
        email="h@x.example",
        identity=rut_for(2),
    )
    submit(held, owner)
    with django_capture_on_commit_callbacks(execute=True):
        steps_drive(held, approve=False)
    review = Review.objects.get(case=held)
    from tests.kyc.conftest import attach, client_listed

    attach(held, owner, "identity")
    client_listed(held)
    notice = Notice.objects.get(recipient=people["officer"], case=held)
    invited = staff_create(
        role=Role.RELATIONSHIP_MANAGER, tenants=[case.tenant], email="invited@example.com"
    )
    document_create(case=case, kind="address", data=samples.pdf(pages=2))
    return people, case, held, failed, review, notice, invited


def _document(case):
    return Document.objects.filter(case=case).earliest("id")


def _urls(places) -> dict[str, list[str]]:
    people, case, held, failed, review, notice, invited = places
    paged = Document.objects.get(case=case, kind="address").uid
    member = people["officer"]
    uid = urlsafe_base64_encode(force_bytes(invited.pk))
    token = default_token_generator.make_token(invited)
    on_case = {"pk": case.pk}
    document = Document.objects.filter(case=held).first()
    assert document is not None
    return {
        "home:index": [reverse("home:index")],
        "accounts:login": [reverse("accounts:login")],
        "accounts:logout": [reverse("accounts:logout")],
        "accounts:tenant-switch": [reverse("accounts:tenant-switch")],
        "accounts:password-change": [reverse("accounts:password-change")],
        "accounts:two-factor-setup": [reverse("accounts:two-factor-setup")],
        "accounts:two-factor-confirm": [reverse("accounts:two-factor-confirm")],
        "accounts:two-factor-codes": [reverse("accounts:two-factor-codes")],
        "accounts:two-factor-verify": [reverse("accounts:two-factor-verify")],
        "accounts:password-reset": [reverse("accounts:password-reset")],
        "accounts:password-reset-confirm": [
            reverse("accounts:password-reset-confirm", args=[uid, token])
        ],
        "accounts:invitation": [reverse("accounts:invitation", args=[uid, token])],
        "health:status": [reverse("health:status")],
        "screening:lists": [reverse("screening:lists")],
        "screening:lists-version": [
            reverse(
                "screening:lists-version",
                args=[ListVersion.objects.create(dataset="sanctions", number=1).pk],
            )
        ],
        "healthz": [reverse("healthz")],
        "set_language": [reverse("set_language")],
        "cases:list": [reverse("cases:list")],
        "cases:new": [reverse("cases:new")],
        "cases:overview": [reverse("cases:overview", kwargs=on_case)],
        "cases:resume": [reverse("cases:resume", kwargs=on_case)],
        "cases:history": [reverse("cases:history", kwargs=on_case)],
        "cases:discard": [reverse("cases:discard", kwargs=on_case)],
        "cases:reassign": [reverse("cases:reassign", kwargs=on_case)],
        "cases:review": [reverse("cases:review", kwargs=on_case)],
        "cases:contact": [reverse("cases:contact", kwargs=on_case)],
        "cases:cities": [reverse("cases:cities", kwargs=on_case)],
        "cases:matches": [reverse("cases:matches", kwargs=on_case)],
        "cases:section": [
            reverse("cases:section", args=[case.pk, section])
            for section in ("client", "sales", "compliance", "activation")
        ]
        + [reverse("cases:section", args=[held.pk, "compliance"])],
        "submissions:status": [reverse("submissions:status", args=[failed.case_id])],
        "submissions:submit": [reverse("submissions:submit", args=[failed.case_id])],
        "submissions:activate": [reverse("submissions:activate", args=[held.pk])],
        "staff:list": [reverse("staff:list")],
        "staff:invite": [reverse("staff:invite")],
        "staff:detail": [reverse("staff:detail", args=[member.pk])],
        "staff:role": [reverse("staff:role", args=[member.pk])],
        "staff:access": [reverse("staff:access", args=[member.pk])],
        "staff:resend": [reverse("staff:resend", args=[invited.pk])],
        "kyc:queue": [reverse("kyc:queue")],
        "kyc:figures": [reverse("kyc:figures")],
        "kyc:review": [reverse("kyc:review", args=[review.pk])],
        "kyc:take": [reverse("kyc:take", args=[review.pk])],
        "kyc:decide": [reverse("kyc:decide", args=[review.pk])],
        "documents:file": [reverse("documents:file", args=[paged])],
        "documents:preview": [
            reverse("documents:preview", args=[paged, page]) for page in (1, 2, 3)
        ],
        "documents:thumbnail": [
            reverse("documents:thumbnail", args=[paged, page]) for page in (1, 2, 3)
        ],
        "kyc:check": [reverse("kyc:check", args=[review.pk, _document(held).uid])],
        "kyc:hit": [
            reverse("kyc:hit", args=[review.pk, hit.pk])
            for hit in ScreeningHit.objects.filter(case=held)
        ],
        "notices:list": [reverse("notices:list")],
        "notices:open": [reverse("notices:open", args=[notice.pk])],
        "notices:read-all": [reverse("notices:read-all")],
        "operations:failures": [reverse("operations:failures")],
        "operations:export": [reverse("operations:export")],
        "operations:bulk": [reverse("operations:bulk")],
        "operations:failure": [reverse("operations:failure", args=[failed.pk])],
        "operations:act": [reverse("operations:act", args=[failed.pk])],
        "operations:erase": [reverse("operations:erase", args=[case.pk])],
        "case_documents:page": [reverse("case_documents:page", args=[held.pk])],
        "case_documents:upload": [reverse("case_documents:upload", args=[held.pk])],
        "case_documents:consent": [reverse("case_documents:consent", args=[held.pk])],
        "case_documents:remove": [reverse("case_documents:remove", args=[held.pk, document.uid])],
        "case_documents:restore": [reverse("case_documents:restore", args=[held.pk, document.uid])],
    }


def _watched_rows() -> list[Any]:
    """Every row of every table a refusal must leave alone, as stored."""
    rows = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            if table in UNWATCHED_TABLES or model._meta.proxy:
                continue
            quote = connection.ops.quote_name
            columns = ", ".join(
                quote(field.column)
                for field in model._meta.concrete_fields
                if field.column not in UNWATCHED_COLUMNS
            )
            cursor.execute(f"SELECT {columns} FROM {quote(table)}")  # noqa: S608
            rows.append((table, sorted(map(repr, cursor.fetchall()))))
    return rows


def _refused(response) -> bool:
    """An error status, or an error or warning for the person (a redirect that refuses)."""
    if response.status_code >= 400:
        return True
    return any(message.level >= WARNING for message in get_messages(response.wsgi_request))


@dataclass
class Fuzzer:
    baseline: list[Any]
    sent: int = 0
    problems: list[str] = field(default_factory=list)

    def send(self, client: Client, what: str, request: Callable[[], Any]) -> None:
        """One request in a savepoint rolled back after it; its cookies put back too."""
        cookies = copy.deepcopy(client.cookies)
        self.sent += 1
        try:
            with transaction.atomic():
                response = request()
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
                if response.status_code >= 500:
                    self.problems.append(f"{response.status_code}: {what}")
                elif _refused(response) and _watched_rows() != self.baseline:
                    self.problems.append(f"refused yet changed the data: {what}")
                transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001 - every failure is listed at the end
            self.problems.append(f"{type(error).__name__} {str(error)[:120]}: {what}")
        client.cookies = cookies


def _read(client: Client, url: str) -> tuple[int, _PageReader]:
    response = client.get(url, follow=True)
    reader = _PageReader(response.request["PATH_INFO"])
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        reader.feed(response.content.decode())
    return response.status_code, reader


def _with(fields: list[tuple[str, str]], values: dict[str, str]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(values.get(name, value))
    return data


def _fuzz_form(fuzzer: Fuzzer, client: Client, form: FoundForm, who: str, *, first: bool) -> None:
    """Each bad value in every field at once; for the first person, also each field alone
    (a NUL, and one of the other values in turn), as htmx sends it for an htmx form."""
    names = [name for name, _value in form.fields if name != "csrfmiddlewaretoken"]
    send = client.post if form.method == "post" else client.get
    headers = {"HTTP_HX_REQUEST": "true"} if form.htmx else {}
    for bad in BAD_VALUES if first else FEW_VALUES:
        data = _with(form.fields, dict.fromkeys(names, bad))
        fuzzer.send(
            client,
            f"{who} {form.method} {form.action} every field={bad[:12]!r}",
            lambda d=data: send(form.action, d),
        )
    if not first:
        return
    for number, name in enumerate(names):
        # A NUL, the commonest breaker, then the other values in turn.
        for bad in (NUL_VALUE, OTHER_VALUES[number % len(OTHER_VALUES)]):
            data = _with(form.fields, {name: bad})
            fuzzer.send(
                client,
                f"{who} {form.method} {form.action} {name}={bad[:12]!r} htmx={form.htmx}",
                lambda d=data: send(form.action, d, **headers),
            )


def _fuzz_query(
    fuzzer: Fuzzer, client: Client, url: str, names: list[str], who: str, *, first: bool
) -> None:
    for bad in BAD_VALUES if first else FEW_VALUES:
        query = dict.fromkeys(names, bad)
        fuzzer.send(
            client,
            f"{who} GET {url} every parameter={bad[:12]!r}",
            lambda q=query: client.get(url, q),
        )


def _fuzz_bodies(fuzzer: Fuzzer, client: Client, url: str, who: str) -> None:
    for content_type, body in BAD_BODIES:
        fuzzer.send(
            client,
            f"{who} POST {url} {content_type} body",
            lambda t=content_type, b=body: client.generic("POST", url, b, content_type=t),
        )


def test_it_answers_every_form_and_query_parameter_without_a_server_error(places):
    people, *_rest = places
    urls = _urls(places)
    named = {name for name, _pattern in _patterns(get_resolver())}
    assert named == set(urls), f"URLs without a fuzz entry: {named ^ set(urls)}"
    clients = {"anonymous": Client(raise_request_exception=False)}
    for person in PEOPLE[:-1]:
        clients[person] = Client(raise_request_exception=False)
        clients[person].force_login(people[person])
    pages = {}
    posted = {url for name in UNSHOWN_FORMS for url in urls[name]}
    query_names = {"page", "next", "search"}
    for who, client in clients.items():
        for url in (url for listed in urls.values() for url in listed):
            status, reader = _read(client, url)
            if status == 200:
                pages[who, url] = reader
                query_names |= reader.link_names
                query_names |= {n for f in reader.forms if f.method == "get" for n, _v in f.fields}
                posted |= {form.action for form in reader.forms if form.method == "post"}
            elif status == 405:
                posted.add(url)
    for name, fields in UNSHOWN_FORMS.items():
        reader = pages.setdefault(("owner", urls[name][0]), _PageReader(urls[name][0]))
        reader.forms.append(FoundForm(urls[name][0], "post", [(f, "") for f in fields]))
    fuzzer = Fuzzer(baseline=_watched_rows())

    seen: set[Any] = set()
    for (who, url), reader in pages.items():
        client = clients[who]
        _fuzz_query(fuzzer, client, url, sorted(query_names), who, first=url not in seen)
        seen.add(url)
        for form in reader.forms:
            key = (form.action, form.method)
            _fuzz_form(fuzzer, client, form, who, first=key not in seen)
            seen.add(key)
    for url in sorted(posted):
        _fuzz_bodies(fuzzer, clients["owner"], url, "owner")

    assert fuzzer.sent > 1000
    assert not fuzzer.problems, "\n".join(fuzzer.problems)
