"""Every page each role sees, in English and Spanish: screenshotted, checked by axe-core, and
free of console errors (a Content Security Policy violation is one).

One browser context per role and language walks its pages in their meaningful states; a page
that fails is noted and the walk goes on, so the final assertion lists every failing page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.roles import Role
from onboarding.cases.demo import CLIENT, COMPLIANCE, SALES, rut_for
from onboarding.cases.lifecycle import Section
from onboarding.cases.services import case_create, case_section_save
from onboarding.documents.demo import case_fill
from onboarding.kyc.models import Review
from onboarding.submissions.models import Step, StepState
from onboarding.submissions.worker import step_run
from tests.browser.conftest import ARTIFACTS, AXE_FAILING, axe_violations
from tests.factories import PASSWORD, TenantFactory, staff_create
from tests.submissions.conftest import steps_drive, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = ARTIFACTS / "pages"
# Moderate and minor findings do not fail the walk; they are written here to read.
AXE_NOTES = ARTIFACTS.parent / "axe"
EVERY_IMPACT = ("minor", "moderate", "serious", "critical")
ROLES = {
    "rm": "rosa@example.com",
    "officer": "carla@example.com",
    "admin": "ana@example.com",
}


@dataclass
class World:
    rm: object
    admin: object
    draft: object
    ready: object
    running: object
    in_review: object
    refused: object
    review: object
    failure: object
    broken: object


def _world(settings) -> World:
    """Cases in the states the pages show: ready, steps queued, held for review, refused."""
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email=ROLES["rm"])
    staff_create(
        role=Role.COMPLIANCE_OFFICER,
        tenants=[tenant],
        email=ROLES["officer"],
        first_name="Carla",
        last_name="Reyes",
    )
    admin = staff_create(
        role=Role.ADMIN, tenants=[tenant], email=ROLES["admin"], first_name="Ana", last_name="Díaz"
    )

    def filled(number: int):
        case = case_create(tenant=tenant, owner=rm)
        return case_fill(case, rm, email=f"client{number}@example.com", identity=rut_for(number))

    draft = case_create(tenant=tenant, owner=rm)
    broken = _broken(case_create(tenant=tenant, owner=rm), rm)
    ready = filled(1)
    running = filled(2)
    submit(running, rm)
    in_review = filled(3)
    submit(in_review, rm)
    steps_drive(in_review, approve=False)
    refused = filled(4)
    submit(refused, rm)
    step_run(step_id=Step.objects.get(case=refused, kind="create").pk)
    refused.refresh_from_db()
    failure = Step.objects.get(case=refused, kind="sales")
    # As Altafid answers a value it refuses: the RM is told which fields, in which section.
    Step.objects.filter(pk=failure.pk).update(
        state=StepState.FAILED,
        attempts=1,
        finished_at=timezone.now(),
        last_error={
            "type": "AltafidValidationError",
            "method": "PUT",
            "path": f"/api/contacts/{refused.contact_uuid}",
            "status": 400,
            "code": "BE0201",
            "message": "Validation failed",
            "field_errors": {"annualIncome": ["must be positive"]},
            "retryable": False,
            "ambiguous": False,
            "retry_after": None,
            "payload_version": failure.payload_version,
        },
    )
    refused.refresh_from_db()
    refused.status = "failed"
    refused.save(update_fields=["status"])
    return World(
        rm=rm,
        admin=admin,
        draft=draft,
        ready=ready,
        running=running,
        in_review=in_review,
        refused=refused,
        review=Review.objects.get(case=in_review),
        failure=failure,
        broken=broken,
    )


def _broken(case, rm):
    """Every section saved with something to fix, as an RM leaves a draft half done."""
    invalid = {
        Section.CLIENT: {**CLIENT, "identity_id": ["12.345.678-9"], "first_name": [""]},
        Section.SALES: {**SALES, "annual_income": ["about a million"]},
        Section.COMPLIANCE: {
            **COMPLIANCE,
            "employment-0-start_date": ["2020-01-01"],
            "employment-0-end_date": ["2019-01-01"],
        },
        Section.ACTIVATION: {"login_email": ["other"], "primary_email": ["not-an-address"]},
    }
    for section, raw in invalid.items():
        case = case_section_save(
            case=case, section=section, raw=raw, version=case.version, user=rm
        ).case
    return case


@dataclass
class Walk:
    """One role's browser context, in one language, going from page to page."""

    page: object
    base: str
    role: str
    language: str
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    expected_status: set[int] = field(default_factory=set)
    pages: int = 0

    def __post_init__(self) -> None:
        self.page.on("console", self._console)  # type: ignore[attr-defined]
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))  # type: ignore[attr-defined]
        self.page.on("response", self._response)  # type: ignore[attr-defined]

    def _console(self, message) -> None:
        if message.type != "error":
            return
        if any(f"status of {code}" in message.text for code in self.expected_status):
            return
        self.errors.append(f"console: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400 and response.status not in self.expected_status:
            self.errors.append(f"HTTP {response.status} {response.url}")

    def visit(self, name: str, path: str, *, status: int | None = None) -> None:
        self.expected_status = {status} if status else set()
        try:
            self.page.goto(self.base + path)  # type: ignore[attr-defined]
        except Exception as error:  # noqa: BLE001 - noted, and the walk goes on
            self.failures.append(f"{name}: could not open {path}: {error}")
            return
        self.check(name)

    def act(self, name: str, action: Callable[[object], None], *, status: int | None = None):
        """Does something on the current page (fills, submits), then checks what it shows."""
        self.expected_status = {status} if status else set()
        try:
            action(self.page)
        except Exception as error:  # noqa: BLE001 - noted, and the walk goes on
            self.failures.append(f"{name}: {error}")
            self.errors.clear()
            return
        self.check(name)

    def check(self, name: str) -> None:
        """Screenshot, axe-core and the console errors of the page as it is now."""
        self.pages += 1
        page = self.page
        try:
            lang = page.locator("html").get_attribute("lang")  # type: ignore[attr-defined]
            if lang != self.language:
                self.failures.append(f"{name}: the page is in {lang!r}, not {self.language!r}")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            path = SCREENSHOTS / f"{self.role}-{self.language}-{name}.png"
            page.screenshot(path=str(path), full_page=True, caret="initial")  # type: ignore[attr-defined]
            found = axe_violations(page, EVERY_IMPACT)
        except Exception as error:  # noqa: BLE001 - noted, and the walk goes on
            self.failures.append(f"{name}: {error}")
            found = []
        for violation in found:
            failing = any(f"({impact})" in violation for impact in AXE_FAILING)
            (self.failures if failing else self.notes).append(f"{name}: axe {violation}")
        self.failures.extend(f"{name}: {error}" for error in self.errors)
        self.errors.clear()
        self.expected_status = set()


def _log_in(walk: Walk) -> None:
    """Chooses the language in the header of the login page, then signs in (in any language)."""
    page = walk.page
    page.goto(walk.base + reverse("accounts:login"))  # type: ignore[attr-defined]
    if walk.language != "en":
        page.locator("#language").select_option(walk.language)  # type: ignore[attr-defined]
        page.locator(".language-form button").click()  # type: ignore[attr-defined]
        page.locator(f"html[lang={walk.language}]").wait_for(state="attached")  # type: ignore[attr-defined]
    walk.check("login")
    page.locator("input[name=username]").fill(ROLES[walk.role])  # type: ignore[attr-defined]
    page.locator("input[name=password]").fill(PASSWORD)  # type: ignore[attr-defined]
    page.locator("main form button[type=submit]").click()  # type: ignore[attr-defined]
    page.wait_for_url(walk.base + "/")  # type: ignore[attr-defined]
    walk.check("home")


def _search(term: str, expect: str) -> Callable[[object], None]:
    """Types in the list's search box, which searches as one types (an htmx POST)."""

    def action(page) -> None:
        with page.expect_response(lambda r: r.request.method == "POST"):
            page.locator("#q").fill(term)
        page.locator(expect).first.wait_for()

    return action


def _save_invalid_client(page) -> None:
    page.locator("#id_first_name").fill("Juan")
    page.locator("#id_identity_type").select_option("CHILE_RUT")
    page.locator("#id_identity_id").fill("12.345.678-9")
    page.locator("button[name=action][value=save]").click()
    page.locator(".field-invalid").first.wait_for()


def _remove_first_address(page) -> None:
    """A row removed: the page offers to bring it back."""
    page.locator("button[name=action][value='remove:addresses:0']").click()
    page.locator(".notice-removed").wait_for()


def _other_address_with_a_country(page) -> None:
    """The htmx swaps of a compliance address: the rows appear, then the country's cities."""
    page.locator("input[name=compliance_address][value=other]").check()
    # Its filter box is added once htmx has wired the swapped-in form (a settle later).
    page.locator("input.select-filter[aria-controls='id_addresses-0-country']").wait_for()
    page.locator("#id_addresses-0-country").select_option("CHL")
    page.locator("#id_addresses-0-city option[value='Santiago']").wait_for(state="attached")


def _invite_taken_address(page) -> None:
    page.locator("#id_email").fill(ROLES["rm"])
    page.locator("#id_first_name").fill("Nuevo")
    page.locator("#id_last_name").fill("Pérez")
    page.locator("main form button[type=submit]").click()
    page.locator(".field-invalid, .field-error").first.wait_for()


def _post(path: str, fields: dict[str, str]) -> Callable[[object], None]:
    """Sends a form the page does not offer this role (with the page's CSRF token), as a
    stale page or a crafted request would: the answer is the 403 page."""

    def action(page) -> None:
        with page.expect_navigation():
            page.evaluate(
                """([path, fields]) => {
                    const form = document.createElement("form");
                    form.method = "post";
                    form.action = path;
                    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
                    form.append(token.cloneNode());
                    for (const [name, value] of Object.entries(fields)) {
                        const input = document.createElement("input");
                        input.type = "hidden";
                        input.name = name;
                        input.value = value;
                        form.append(input);
                    }
                    document.body.append(form);
                    form.submit();
                }""",
                [path, fields],
            )

    return action


def _common(walk: Walk, world: World) -> None:
    walk.visit("password-change", reverse("accounts:password-change"))
    walk.visit("two-factor-setup", reverse("accounts:two-factor-setup"))
    walk.visit("notices", reverse("notices:list"))
    walk.visit("404", "/cases/999999/", status=404)


def _case_pages(walk: Walk, world: World) -> None:
    walk.visit("overview", reverse("cases:overview", args=[world.in_review.pk]))
    walk.visit("history", reverse("cases:history", args=[world.in_review.pk]))
    walk.visit("status-running", reverse("submissions:status", args=[world.running.pk]))
    walk.visit("status-in-review", reverse("submissions:status", args=[world.in_review.pk]))
    walk.visit("status-refused", reverse("submissions:status", args=[world.refused.pk]))


def _walk_rm(walk: Walk, world: World) -> None:
    walk.visit("cases", reverse("cases:list"))
    walk.act("cases-search", _search("García", "#results table"))
    walk.act("cases-empty", _search("nobody-by-this-name", "#results p.muted"))
    walk.visit("cases-filtered", reverse("cases:list") + "?status=in_review")
    for section in ("client", "sales", "compliance", "activation"):
        walk.visit(f"section-{section}", reverse("cases:section", args=[world.ready.pk, section]))
    walk.visit("section-client-new", reverse("cases:section", args=[world.draft.pk, "client"]))
    walk.act("section-client-errors", _save_invalid_client)
    walk.visit(
        "section-compliance-new", reverse("cases:section", args=[world.draft.pk, "compliance"])
    )
    walk.act("section-compliance-other-address", _other_address_with_a_country)
    walk.visit("section-sales-refused", reverse("cases:section", args=[world.refused.pk, "sales"]))
    walk.visit("review", reverse("cases:review", args=[world.ready.pk]))
    for section in ("client", "sales", "compliance", "activation"):
        walk.visit(
            f"section-{section}-errors",
            reverse("cases:section", args=[world.broken.pk, section]),
        )
    walk.visit("review-errors", reverse("cases:review", args=[world.broken.pk]))
    walk.visit("section-client-new-onboarding", reverse("cases:new"))
    broken_client = reverse("cases:section", args=[world.broken.pk, "client"])
    walk.visit("section-client-stopped", broken_client + "?stopped=1")
    walk.visit("section-sales-remove", reverse("cases:section", args=[world.broken.pk, "sales"]))
    walk.act("section-sales-removed", _remove_first_address)
    _case_pages(walk, world)
    _common(walk, world)
    walk.visit("403", reverse("staff:list"), status=403)


def _walk_officer(walk: Walk, world: World) -> None:
    walk.visit("cases", reverse("cases:list"))
    walk.visit("kyc-queue", reverse("kyc:queue"))
    walk.visit("kyc-review", reverse("kyc:review", args=[world.review.pk]))
    walk.visit("kyc-figures", reverse("kyc:figures"))
    walk.visit("section-sales-read-only", reverse("cases:section", args=[world.ready.pk, "sales"]))
    walk.visit("review", reverse("cases:review", args=[world.ready.pk]))
    _case_pages(walk, world)
    _common(walk, world)
    walk.visit("403", reverse("operations:failures"), status=403)


def _walk_admin(walk: Walk, world: World) -> None:
    walk.visit("cases", reverse("cases:list"))
    walk.visit("failures", reverse("operations:failures"))
    walk.visit("failure", reverse("operations:failure", args=[world.failure.pk]))
    walk.visit("health", reverse("health:status"))
    walk.visit("staff", reverse("staff:list"))
    walk.visit("staff-detail", reverse("staff:detail", args=[world.rm.pk]))
    walk.visit("staff-invite", reverse("staff:invite"))
    walk.act("staff-invite-errors", _invite_taken_address, status=422)
    walk.visit("kyc-queue", reverse("kyc:queue"))
    walk.visit("kyc-review", reverse("kyc:review", args=[world.review.pk]))
    walk.visit("kyc-figures", reverse("kyc:figures"))
    _case_pages(walk, world)
    _common(walk, world)
    # Only the RM who owns a draft may discard it.
    discard = reverse("cases:discard", args=[world.ready.pk])
    walk.act("403", _post(discard, {"confirm": "yes"}), status=403)


WALKS = {"rm": _walk_rm, "officer": _walk_officer, "admin": _walk_admin}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("role", list(WALKS))
def test_it_shows_every_page_accessible_and_without_console_errors(
    live_server, chromium, sandbox, settings, role, language
):
    world = _world(settings)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    walk = Walk(page=context.new_page(), base=live_server.url, role=role, language=language)
    try:
        _log_in(walk)
        WALKS[role](walk, world)
    finally:
        context.close()
        AXE_NOTES.mkdir(parents=True, exist_ok=True)
        (AXE_NOTES / f"{role}-{language}.txt").write_text("\n".join(walk.notes) + "\n")

    assert walk.pages > 10
    assert walk.failures == [], f"{len(walk.failures)} problems on {role}'s pages:\n" + "\n".join(
        walk.failures
    )
