from django.test import RequestFactory

from onboarding.core.http import redirect_page


def test_it_redirects_a_plain_request():
    response = redirect_page(RequestFactory().get("/cases/"), "/login/?next=/cases/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/cases/"


def test_it_sends_an_htmx_request_to_the_whole_page():
    request = RequestFactory().get("/cases/", headers={"HX-Request": "true"})

    response = redirect_page(request, "/login/?next=/cases/")

    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=/cases/"
