"""The probe's overwrite, over real HTTP: a second RM who types a colleague's client's RUT in a
new case can neither see that client's data nor link to the contact and overwrite it."""

import re

import httpx
import pytest

from onboarding.cases.demo import CLIENT
from onboarding.cases.models import Case
from onboarding.cases.services import case_create
from onboarding.documents.demo import case_fill
from tests.cases.conftest import rm2  # noqa: F401 - a colleague of rm
from tests.factories import PASSWORD
from tests.submissions.conftest import steps_drive, submit

pytestmark = pytest.mark.django_db(transaction=True)


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, page.text[:300]
    return found.group(1)


def test_it_keeps_a_colleague_from_linking_and_overwriting_a_client_over_http(
    live_server,
    tenant,
    rm,
    rm2,  # noqa: F811
    sandbox,
):
    theirs = case_fill(case_create(tenant=tenant, owner=rm2), rm2)
    submit(theirs, rm2)
    steps_drive(theirs)
    theirs.refresh_from_db()
    held = sandbox.contacts(tenant.altafid_uuid)[0]
    puts_before = sandbox.request_count(path_prefix="/api/contacts/", method="PUT")

    with httpx.Client(base_url=live_server.url) as second_rm:
        login = second_rm.get("/login/")
        second_rm.post(
            "/login/",
            data={"username": rm.email, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(login)},
        )
        token = _csrf(second_rm.get("/cases/"))
        # A new onboarding is created by the first save of its Client section.
        section = second_rm.post(
            "/cases/new/",
            data={
                **CLIENT,
                "first_name": ["Otro"],
                "preferred_email": ["otro@example.com"],
                "csrfmiddlewaretoken": token,
            },
        )
        mine = Case.objects.get(owner=rm)
        review = second_rm.get(f"/cases/{mine.pk}/review/")
        linked = second_rm.post(
            f"/cases/{mine.pk}/contact/",
            data={
                "decision": "linked",
                "contact": theirs.contact_uuid,
                "csrfmiddlewaretoken": token,
            },
            follow_redirects=True,
        )

    assert section.status_code == 302
    assert "Another onboarding exists, owned by" in review.text
    assert f"Held by {rm2}'s onboarding" in review.text
    for personal in (theirs.client_name, held["preferredEmail"], theirs.contact_uuid):
        assert personal not in review.text
    assert "Another onboarding already holds this Altafid contact" in linked.text
    mine.refresh_from_db()
    assert mine.contact_uuid == ""
    assert sandbox.request_count(path_prefix="/api/contacts/", method="PUT") == puts_before
    assert sandbox.contacts(tenant.altafid_uuid)[0] == held
