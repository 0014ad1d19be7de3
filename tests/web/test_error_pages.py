import pytest
from django.test import Client, override_settings
from django.urls import path

from onboarding.urls import urlpatterns as app_urlpatterns


def _fails(request):
    raise RuntimeError("a bug")


urlpatterns = [*app_urlpatterns, path("boom/", _fails)]


@pytest.mark.django_db
def test_it_answers_a_styled_404_in_the_users_language(client):
    english = client.get("/nowhere/")
    spanish = client.get("/nowhere/", headers={"accept-language": "es"})

    assert english.status_code == 404
    assert "Not found" in english.content.decode()
    assert "Back to the start page" in english.content.decode()
    assert 'lang="es"' in spanish.content.decode()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_it_answers_a_styled_500_with_a_way_back():
    response = Client(raise_request_exception=False).get("/boom/")

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert 'href="/"' in page
    assert "RuntimeError" not in page
