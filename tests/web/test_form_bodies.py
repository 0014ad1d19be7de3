"""Every write of the app is a web form: other bodies are refused before any view reads them."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, TenantFactory, staff_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", '{"username": "a@example.com", "password": "x"}'),
        ("text/plain", "username=a@example.com"),
        ("application/xml", "<login/>"),
    ],
)
def test_it_refuses_a_body_that_is_not_a_form(client, content_type, body):
    response = client.post(reverse("accounts:login"), body, content_type=content_type)

    assert response.status_code == 415
    assert response.content.decode() == "This address takes a web form only."


def test_it_takes_forms_and_bodiless_posts(client):
    user = staff_create(tenants=[TenantFactory()])

    signed_in = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    signed_out = client.generic("POST", reverse("accounts:logout"))

    assert signed_in.status_code == 302
    assert signed_out.status_code == 302
