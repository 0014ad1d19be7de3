import os
import shutil
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started

from onboarding.accounts.roles import Role
from tests.factories import TenantFactory, staff_create

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
# Test-only, from npm's axe-core package (MPL-2.0; its licence files sit beside it).
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_FAILING = ("serious", "critical")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class BrowserRequests:
    """The requests a test's browser context has sent and not yet seen answered or failed."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.pending: set[object] = set()
        # Playwright wants Python functions as handlers, not a set's built-in methods.
        context.on("request", lambda request: self.pending.add(request))
        context.on("requestfinished", lambda request: self.pending.discard(request))
        context.on("requestfailed", lambda request: self.pending.discard(request))

    def finish(self) -> None:
        """Waits for the open pages' requests to be answered, closes the browser, then waits
        for the live server to finish serving whatever closed pages had asked."""
        deadline = time.monotonic() + REQUEST_WAIT_SECONDS
        while self.pending and time.monotonic() < deadline:
            open_pages = [page for page in self.context.pages if not page.is_closed()]
            if not open_pages:
                break
            # Playwright dispatches the events that empty `pending` only while it waits.
            open_pages[0].wait_for_timeout(20)
        # Closing unloads the pages, and the autosave sends what was typed with a keepalive
        # request that reaches the server a moment later: the server is done once it has
        # served everything and nothing new came for a moment.
        self.context.close()
        SERVER_REQUESTS.wait_until_quiet(deadline)


class ServerRequests:
    """The live server's threads serving a request now, as Django's own signals tell (a
    connection kept open for the next request is not one). The test client's requests run
    in the test's own thread and are left out: one whose streamed answer a test never read
    never says it finished."""

    def __init__(self) -> None:
        self.serving: set[int] = set()
        self.started = 0
        self.changed = threading.Condition()
        request_started.connect(self._started, weak=False)
        request_finished.connect(self._finished, weak=False)

    def _started(self, **kwargs: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            return
        with self.changed:
            self.serving.add(threading.get_ident())
            self.started += 1
            self.changed.notify_all()

    def _finished(self, **kwargs: Any) -> None:
        with self.changed:
            self.serving.discard(threading.get_ident())
            self.changed.notify_all()

    def _started_since(self, before: int) -> bool:
        return self.started != before

    def wait_until_quiet(self, deadline: float) -> None:
        with self.changed:
            while time.monotonic() < deadline:
                self.changed.wait_for(
                    lambda: not self.serving, timeout=max(deadline - time.monotonic(), 0)
                )
                before = self.started
                if not self.changed.wait_for(
                    partial(self._started_since, before), timeout=QUIET_SECONDS
                ):
                    return


SERVER_REQUESTS = ServerRequests()


BROWSER_REQUESTS = pytest.StashKey[BrowserRequests]()
REQUEST_WAIT_SECONDS = 30
QUIET_SECONDS = 0.3


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """The test's browser and the live server finish what was asked of them before any
    fixture is torn down.

    A request still being served when a test ends would go on after it, under the next
    test's settings and sandbox: its Altafid calls would fail, and what it wrote to the
    shared cache (a list's pause after a failure) would land in the next test.
    """
    yield
    if BROWSER_REQUESTS in item.stash:
        item.stash[BROWSER_REQUESTS].finish()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if shutil.which(CHROMIUM) or os.environ.get("CI") == "true":
        return  # CI installs Chromium, so there a missing browser is a failure, not a skip.
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium(django_db_setup: None) -> Iterator[object]:
    """Started after the test database exists, so that its setup runs outside Playwright's loop."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which Django's
    # async-safety check mistakes for async code; the queries around it are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(chromium, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser context whose console errors (CSP violations included) fail the test."""
    options = request.node.get_closest_marker("browser_context")
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, **(options.kwargs if options else {})
    )
    request.node.stash[BROWSER_REQUESTS] = BrowserRequests(context)
    page = context.new_page()
    errors: list[str] = []
    expected = request.node.get_closest_marker("expect_http_status")
    allowed = set(expected.args) if expected else set()
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error"
            and not any(f"status of {code}" in message.text for code in allowed)
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.status not in allowed
            else None
        ),
    )
    yield page
    context.close()
    assert errors == [], f"browser console errors in {request.node.name}: {errors}"


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # caret="initial": hiding the caret puts inline styles on inputs, which htmx then copies
    # onto swapped-in elements and the Content Security Policy rightly refuses.
    page.screenshot(path=str(path), full_page=True, caret="initial")  # type: ignore[attr-defined]
    return path


def log_in(page: object, base: str, email: str) -> None:
    """Signs in through the login page, as a person does, and waits for the start page."""
    from django.urls import reverse

    from tests.factories import PASSWORD

    page.goto(base + reverse("accounts:login"))  # type: ignore[attr-defined]
    page.get_by_label("E-mail address").fill(email)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Log in").click()  # type: ignore[attr-defined]
    page.wait_for_url(base + reverse("home:index"))  # type: ignore[attr-defined]


def axe_violations(page: object, impacts: tuple[str, ...] = AXE_FAILING) -> list[str]:
    """axe-core's violations on the page as it is now, one line each, of the given impacts.

    The page's Content Security Policy refuses inline scripts, and Playwright's
    add_script_tag (with a path or content) inserts one, so it is refused and logged as a
    console error; bypass_csp would hide the CSP errors these tests look for. Evaluating the
    source through the DevTools protocol is not subject to the page's CSP, and leaves it on.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):  # type: ignore[attr-defined]
        page.evaluate(AXE.read_text())  # type: ignore[attr-defined]
    results = page.evaluate(  # type: ignore[attr-defined]
        """tags => axe.run(document, {
            runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]
        })""",
        AXE_TAGS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        f" at {', '.join(' '.join(node['target']) for node in violation['nodes'])}"
        for violation in results["violations"]
        if violation["impact"] in impacts
    ]


def axe_check(page: object, name: str) -> None:
    """Fails listing every serious or critical axe-core violation on the page as it is now."""
    found = axe_violations(page)
    assert not found, f"axe-core on {name}:\n" + "\n".join(found)


def verify_documents(officer_page, case, email="carla@example.com"):
    """The officer verifies every document of the waiting review (recorded through the
    service; the page's finding form has its own test), then the page shows it."""
    from onboarding.accounts.models import User
    from onboarding.kyc.models import Review, ReviewState
    from tests.submissions.conftest import documents_verify

    review = Review.objects.get(case=case, state=ReviewState.WAITING)
    documents_verify(review, User.objects.get(email=email))
    officer_page.reload()


def take_and_attest(officer_page):
    """The officer takes the review on its page (if not theirs yet) and ticks the attestation
    that approving asks for."""
    assign = officer_page.get_by_role("button", name="Assign to me")
    if assign.count():
        assign.first.click()
        officer_page.get_by_text("This review is yours.").wait_for()
    officer_page.get_by_label("I checked the documents and every screening hit").check()


@pytest.fixture
def rm_and_officer(sandbox, settings):
    """The RM Rosa of the tenant the sandbox knows (Andes Capital), with its officer Carla
    Reyes beside her."""
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")
    staff_create(
        role=Role.COMPLIANCE_OFFICER,
        tenants=[tenant],
        email="carla@example.com",
        first_name="Carla",
        last_name="Reyes",
    )
    return rm
