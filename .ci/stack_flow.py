"""The stack seen as people use it, over HTTPS through the proxy (.ci/stack runs it).

The relationship manager signs in and fills in an onboarding with the demo client's data
(`onboarding/cases/demo.py`, with an e-mail and RUT of its own), its identity document and
consent, and submits it; the compliance officer signs in with two-factor sign-in (enrolling an
authenticator whose key this script keeps in memory only), takes the KYC review and approves
it; the relationship manager activates the client, and the case reads activated once the
stack's worker has made every call to the stack's sandbox. Prints statuses and paths, never a
key, code, password or a client's data.

    DEMO_PASSWORD=... uv run python .ci/stack_flow.py https://localhost:8443
"""

import base64
import datetime
import hashlib
import hmac
import os
import re
import secrets
import struct
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RM = "rm@example.com"
OFFICER = "compliance@example.com"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SECRET = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
VERSION = re.compile(r'name="version" value="(\d+)"')
DIGEST = re.compile(r'name="digest" value="([^"]+)"')
READING = re.compile(r'data-reading="([a-z_]+):')
# Long enough for the worker's calls to the sandbox (seconds, unless a retry waits).
WAIT_SECONDS = 180


def totp(secret: str, *, at: float | None = None) -> str:
    """RFC 6238 as django-otp's TOTP devices check it: SHA-1, 30 s steps, six digits."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        # The stack's certificate is self-signed for localhost.
        self.client = httpx.Client(base_url=self.base, verify=False, timeout=30)  # noqa: S501

    def get(self, path: str, *, expect: int = 200) -> httpx.Response:
        response = self.client.get(path)
        check(response, expect)
        return response

    def submit(
        self,
        path: str,
        data: dict[str, str | list[str]],
        *,
        page: str | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        expect: int = 302,
    ) -> httpx.Response:
        """A form as a browser sends it: the page's CSRF token, and a Referer (HTTPS needs one)."""
        form_page = self.get(page or path).text
        token = CSRF.search(form_page)
        assert token, f"no CSRF token on {page or path}"
        response = self.client.post(
            path,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            files=files,
            headers={"Referer": f"{self.base}{page or path}"},
        )
        check(response, expect)
        return response

    def reading(self, case: int) -> str:
        """Where the case is, as its overview page marks it: "in_review", "activated"..."""
        found = READING.search(self.get(f"/cases/{case}/").text)
        assert found, f"no reading on case {case}'s page"
        return found.group(1)

    def wait_for(self, case: int, status: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while (reading := self.reading(case)) != status:
            if time.monotonic() > deadline:
                raise SystemExit(f"case {case} is {reading}, not {status}, after {WAIT_SECONDS} s")
            time.sleep(2)
        print(f"case {case}: {status}")


def check(response: httpx.Response, expect: int) -> None:
    if response.status_code != expect:
        raise SystemExit(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code}, expected {expect}"
        )


def location(response: httpx.Response) -> str:
    return httpx.URL(response.headers["location"]).path


def sign_in(base: str, email: str, password: str) -> Browser:
    browser = Browser(base)
    response = browser.submit("/login/", {"username": email, "password": password, "next": "/"})
    assert browser.client.cookies.get("__Host-sessionid"), "no secure session cookie"
    print(f"signed in over HTTPS as {email.split('@')[0]}: redirected to {location(response)}")
    return browser


def officer_sign_in(base: str, password: str) -> Browser:
    """Password, then the second factor: an authenticator enrolled now (the demo officer has
    none yet), then signed in again with a code from it, as on any later day."""
    browser = sign_in(base, OFFICER, password)
    setup = browser.get("/two-factor/setup/").text
    found = SECRET.search(setup)
    assert found, "no two-factor key on the enrolment page"
    secret = found.group(1).replace(" ", "")
    response = browser.submit("/two-factor/setup/", {"token": totp(secret)})
    assert location(response) == "/two-factor/codes/", location(response)
    browser.get("/two-factor/codes/")
    browser.submit("/logout/", {}, page="/")

    browser = sign_in(base, OFFICER, password)
    response = browser.get("/", expect=302)
    assert location(response) == "/two-factor/", location(response)
    # A code is accepted once: wait for the next step if enrolment used this one.
    time.sleep(30 - time.time() % 30 + 1)
    response = browser.submit("/two-factor/", {"token": totp(secret), "next": "/"})
    print(f"officer's second factor accepted: redirected to {location(response)}")
    browser.get("/")
    return browser


def case_fill_and_submit(rm: Browser) -> int:
    """Every section as `cases.demo` posts them, a client of its own (Altafid is searched by
    e-mail and RUT before a contact is made), the identity document and consent, then Submit."""
    from onboarding.cases.demo import SECTIONS, rut_for
    from onboarding.documents.demo import sample_jpeg

    number = secrets.randbelow(80_000_000)
    client = {
        **SECTIONS["client"],
        "preferred_email": [f"stack-{number}@example.com"],
        "identity_id": [rut_for(number)],
    }
    response = rm.submit("/cases/new/", {**client, "action": "save"})
    found = re.search(r"/cases/(\d+)/", location(response))
    assert found, location(response)
    case = int(found.group(1))
    for section in ("sales", "compliance", "activation"):
        path = f"/cases/{case}/{section}/"
        version = VERSION.search(rm.get(path).text)
        assert version, f"no version on {path}"
        rm.submit(path, {**SECTIONS[section], "version": version.group(1), "action": "save"})
    documents = f"/cases/{case}/documents/"
    rm.submit(
        f"{documents}attach/",
        {"kind": "identity"},
        page=documents,
        files={"file": ("identity.jpg", sample_jpeg(), "image/jpeg")},
    )
    # Yesterday: a consent dated today could lie in the future of the tenant's time zone.
    yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    rm.submit(
        f"{documents}consent/", {"method": "in_person", "given_at": yesterday}, page=documents
    )
    review = f"/cases/{case}/review/"
    digest = DIGEST.search(rm.get(review).text)
    assert digest, f"no Submit on {review}: the case is not complete"
    rm.submit(f"/submissions/{case}/submit/", {"digest": digest.group(1)}, page=review)
    print(f"case {case}: filled in and submitted through the proxy")
    return case


def kyc_approve(officer: Browser, case: int) -> None:
    queue = officer.get("/kyc/").text
    # The newest review: this case's (the stack holds no other case, unless run again by hand).
    found = [int(pk) for pk in re.findall(r'href="/kyc/reviews/(\d+)/"', queue)]
    assert found, "no review in the officer's queue"
    review = f"/kyc/reviews/{max(found)}/"
    officer.submit(f"{review}take/", {}, page=review)
    page = officer.get(review).text
    documents = set(re.findall(rf'action="{review}documents/([0-9a-f-]{{36}})/check/"', page))
    assert documents, f"no document to verify on {review}"
    for uid in documents:
        officer.submit(f"{review}documents/{uid}/check/", {"verdict": "verified"}, page=review)
    digest = DIGEST.search(officer.get(review).text)
    assert digest, f"no decision form on {review}"
    officer.submit(
        f"{review}decide/",
        {"decision": "approve", "attest": "yes", "digest": digest.group(1)},
        page=review,
    )
    print(f"case {case}: KYC review approved by the compliance officer")


def main() -> None:
    base = sys.argv[1]
    password = os.environ["DEMO_PASSWORD"]
    # The demo data's modules, read with development settings (nothing here opens a database).
    os.environ["DEBUG"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
    import django

    django.setup()

    rm = sign_in(base, RM, password)
    case = case_fill_and_submit(rm)
    rm.wait_for(case, "in_review")
    officer = officer_sign_in(base, password)
    kyc_approve(officer, case)
    rm.wait_for(case, "in_altafid")
    submission = f"/submissions/{case}/"
    rm.submit(f"{submission}activate/", {"confirm": "yes"}, page=submission)
    rm.wait_for(case, "activated")


if __name__ == "__main__":
    main()
