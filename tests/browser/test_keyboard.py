"""A whole onboarding with the keyboard alone: Tab, typing, arrow keys, Space and Enter.

Nothing here clicks; every element reached with Tab must show where the focus is.
"""

import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.cases.models import Case
from onboarding.documents.demo import sample_jpeg
from tests.browser.conftest import screenshot
from tests.factories import PASSWORD, TenantFactory, staff_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the focused element looks like, and where it sits relative to a target.
FOCUS = """target => {
    const el = document.activeElement;
    if (!el || el === document.body) return {name: "(nothing)", ring: false, where: 1, at: false};
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== "none";
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.name ? "[name=" + el.name + "]" : "")
        + " " + (el.textContent || "").trim().slice(0, 40);
    const goal = target ? document.querySelector(target) : null;
    let where = 0;
    if (goal && goal !== el) {
        where = el.compareDocumentPosition(goal) & Node.DOCUMENT_POSITION_FOLLOWING ? 1 : -1;
    }
    return {name, ring: outline || shadow, where, at: goal === el};
}"""


class Keyboard:
    def __init__(self, page):
        self.page = page
        self.presses = 0
        self.unseen: list[str] = []

    def focus(self, target: str | None = None) -> dict:
        return self.page.evaluate(FOCUS, target)

    def tab_to(self, selector: str, limit: int = 120) -> None:
        """Presses Tab (or Shift+Tab when the target is above) until `selector` has the focus;
        notes each element reached that shows no focus ring."""
        self.page.locator(selector).first.wait_for(state="attached")
        for _ in range(limit):
            state = self.focus(selector)
            if state["at"]:
                return
            self.page.keyboard.press("Shift+Tab" if state["where"] < 0 else "Tab")
            self.presses += 1
            reached = self.focus()
            if not reached["ring"]:
                self.unseen.append(reached["name"])
        raise AssertionError(f"{selector} never got the focus; last on {self.focus()['name']}")

    def type_into(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def choose(self, selector: str, value: str) -> None:
        """Arrow keys on a closed select move its choice, as on Windows and Linux."""
        self.tab_to(selector)
        select = self.page.locator(selector)
        for _ in range(select.locator("option").count()):
            if select.input_value() == value:
                return
            self.page.keyboard.press("ArrowDown")
        assert select.input_value() == value, f"{selector}: {value} not reached with arrows"

    def type_ahead(self, selector: str, text: str, value: str) -> None:
        """Typing a choice's first letters on a closed select picks it."""
        self.tab_to(selector)
        self.page.keyboard.type(text)
        assert self.page.locator(selector).input_value() == value

    def filter_and_pick(self, select_id: str, text: str, value: str) -> None:
        """The filter box before a long list: type, then Enter confirms the first match."""
        self.type_into(f"input.select-filter[aria-controls={select_id}]", text)
        self.page.keyboard.press("Enter")
        assert self.focus(f"#{select_id}")["at"], "Enter leaves the focus on the list"
        assert self.page.locator(f"#{select_id}").input_value() == value

    def press_button(self, selector: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press("Enter")

    def tick(self, selector: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press("Space")
        assert self.page.locator(selector).is_checked()


def _heading(page, text: str) -> None:
    page.get_by_role("heading", name=text).first.wait_for()


def _client(keys: Keyboard) -> None:
    keys.type_into("#id_first_name", "Juan")
    keys.type_into("#id_paternal_last_name", "García")
    keys.type_into("#id_maternal_last_name", "López")
    keys.type_into("#id_date_of_birth", "05201980")
    assert keys.page.locator("#id_date_of_birth").input_value() == "1980-05-20"
    keys.choose("#id_gender", "MALE")
    keys.choose("#id_identity_type", "CHILE_RUT")
    keys.type_into("#id_identity_id", "12.345.678-5")
    keys.filter_and_pick("id_identity_country", "chile", "CHL")
    keys.type_into("#id_preferred_email", "juan.garcia@example.com")
    keys.filter_and_pick("id_phone_code", "chile", "+56")
    keys.type_into("#id_phone_number", "961234567")
    keys.choose("#id_contact_means", "EMAIL")
    keys.choose("#id_preferred_contact_language", "SPANISH")
    keys.choose("#id_contact_type", "SUBSCRIBER")
    keys.choose("#id_contact_source", "conSource001")
    keys.choose("#id_market_segment", "conSegment002")


def _sales(keys: Keyboard) -> None:
    keys.choose("#id_stage_name", "conStage002")
    keys.type_into("#id_annual_income", "90000000")
    keys.type_into("#id_liquid_net_worth", "300000000")
    keys.type_into("#id_total_net_worth", "350000000")
    keys.filter_and_pick("id_country_of_citizenship", "chile", "CHL")
    keys.filter_and_pick("id_country_of_birth", "chile", "CHL")
    keys.type_into("#id_addresses-0-street_name", "Avenida Apoquindo")
    keys.type_into("#id_addresses-0-street_number", "3000")
    # Choosing the country fetches its cities into the next field (htmx).
    keys.filter_and_pick("id_addresses-0-country", "chile", "CHL")
    keys.page.locator("#id_addresses-0-city option[value='Santiago']").wait_for(state="attached")
    keys.type_ahead("#id_addresses-0-city", "Santiago", "Santiago")
    keys.tick("#id_addresses-0-is_primary")


def _compliance(keys: Keyboard) -> None:
    assert keys.page.locator("input[name=compliance_address][value=same]").is_checked()
    keys.type_into("#id_identity_issuing_authority", "Registro Civil")
    keys.choose("#id_employment-0-employment_status", "employed")
    keys.type_into("#id_employment-0-employer_name", "Viña Andes SpA")
    keys.type_into("#id_employment-0-start_date", "03012010")


def test_it_takes_an_rm_through_a_whole_onboarding_with_the_keyboard_alone(
    live_server, page, sandbox, settings
):
    tenant = TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)
    staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant], email="rosa@example.com")
    keys = Keyboard(page)
    base = live_server.url

    page.goto(base + reverse("accounts:login"))
    keys.type_into("input[name=username]", "rosa@example.com")
    keys.type_into("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")

    keys.press_button(f"nav a[href='{reverse('cases:list')}']")
    _heading(page, "Onboardings")
    keys.press_button(f"main a[href='{reverse('cases:new')}']")
    page.wait_for_url("**/new/")
    _client(keys)
    keys.tab_to("button[name=action][value=next]")
    screenshot(page, "keyboard-focus-on-continue")
    page.keyboard.press("Enter")
    _heading(page, "Sales profile")
    _sales(keys)
    keys.press_button("button[name=action][value=next]")
    _heading(page, "Compliance (KYC)")
    _compliance(keys)
    keys.press_button("button[name=action][value=next]")
    _heading(page, "Activation")
    assert page.locator("input[name=login_email][value=same]").is_checked()
    keys.press_button("button[name=action][value=next]")
    # Submit waits for the identity document and the consent: review links to them.
    keys.press_button("main a[href$='#kind-identity']")
    _heading(page, "Documents: Juan García López")
    # Choosing the file is the operating system's dialog, not the page's.
    page.locator("#file-identity").set_input_files(
        {"name": "cedula.jpg", "mimeType": "image/jpeg", "buffer": sample_jpeg()}
    )
    keys.press_button("#kind-identity .document-upload button")
    page.locator("#kind-identity .document").wait_for()
    keys.press_button(".consent-form button")
    page.locator(".consent-facts").wait_for()
    keys.press_button(".page-head a.button")
    page.get_by_text("Nothing blocks submission.").wait_for()
    screenshot(page, "keyboard-review")

    case = Case.objects.get()
    keys.press_button(f"form[action='{reverse('submissions:submit', args=[case.pk])}'] button")
    page.wait_for_url(base + reverse("submissions:status", args=[case.pk]))
    page.get_by_text("Steps are running; this page updates by itself.").wait_for()
    assert page.locator(".status-queued, .status-running").count() >= 1
    screenshot(page, "keyboard-submitted")

    assert keys.unseen == [], f"focus not visible on: {keys.unseen}"
    assert keys.presses > 30
