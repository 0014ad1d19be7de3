"""The stack seen as people use it, over HTTPS through the proxy (.ci/stack runs it).

The relationship manager signs in; the compliance officer signs in with two-factor sign-in,
enrolling an authenticator whose key this script keeps in memory only. Prints statuses and
paths, never a key, code, password or a client's data.

    DEMO_PASSWORD=... uv run python .ci/stack_flow.py https://localhost:8443
"""

import base64
import hashlib
import hmac
import os
import re
import struct
import sys
import time

import httpx

RM = "rm@example.com"
OFFICER = "compliance@example.com"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SECRET = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')


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
        self, path: str, data: dict[str, str], *, page: str | None = None, expect: int = 302
    ) -> httpx.Response:
        """A form as a browser sends it: the page's CSRF token, and a Referer (HTTPS needs one)."""
        form_page = self.get(page or path).text
        token = CSRF.search(form_page)
        assert token, f"no CSRF token on {page or path}"
        response = self.client.post(
            path,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            headers={"Referer": f"{self.base}{page or path}"},
        )
        check(response, expect)
        return response


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


def main() -> None:
    base = sys.argv[1]
    password = os.environ["DEMO_PASSWORD"]
    rm = sign_in(base, RM, password)
    rm.get("/")
    officer_sign_in(base, password)


if __name__ == "__main__":
    main()
