"""The deployment administrators' page for loading lists, with live progress."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.screening import tasks
from onboarding.screening.models import ListEntity, ListVersion, VersionState
from onboarding.screening.services import screening_load_run, screening_upload_path
from tests.factories import UserFactory, staff_create, verified_login

pytestmark = pytest.mark.django_db

FTM = (
    b'{"id": "ru-1", "schema": "Person", "properties": {"name": ["Oleg Titov"], '
    b'"birthDate": ["1970-01-02"], "nationality": ["ru"]}}\n'
)


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def superuser():
    user = UserFactory(is_superuser=True, is_staff=True)
    user.save()
    return user


@pytest.fixture
def queued(monkeypatch):
    """The IDs the page hands the worker, instead of a broker."""
    ids: list[int] = []
    monkeypatch.setattr(tasks.load_list, "delay", lambda **kwargs: ids.append(kwargs["version_id"]))
    return ids


def test_it_keeps_the_page_from_anyone_but_verified_superusers(client, superuser):
    url = reverse("screening:lists")
    assert client.get(url)["Location"].startswith(reverse("accounts:login"))
    verified_login(client, staff_create(role=Role.ADMIN))  # a tenant's admin
    assert client.get(url).status_code == 403
    assert client.get(reverse("screening:lists-version", args=[1])).status_code == 403
    client.force_login(superuser)  # a password only: the second factor first
    assert client.get(url)["Location"].startswith("/two-factor/")
    assert client.post(url, {"dataset": "sanctions"})["Location"].startswith("/two-factor/")
    verified_login(client, superuser)
    assert client.get(url).status_code == 200


def test_it_refuses_other_methods(client, superuser):
    verified_login(client, superuser)

    assert client.put(reverse("screening:lists")).status_code == 405
    assert client.post(reverse("screening:lists-version", args=[1])).status_code == 405


def test_it_loads_an_uploaded_file_in_a_worker_and_shows_its_progress(
    client, superuser, queued, django_capture_on_commit_callbacks
):
    verified_login(client, superuser)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("screening:lists"),
            {"dataset": "peps", "file": SimpleUploadedFile("entities.ftm.json", FTM)},
        )

    version = ListVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("screening:lists-version", args=[version.pk])
    assert (version.dataset, version.state, version.source_name) == (
        "peps",
        VersionState.LOADING,
        "entities.ftm.json",
    )
    assert queued == [version.pk]
    assert screening_upload_path(version).read_bytes() == FTM
    page = client.get(response["Location"])
    assert 'hx-trigger="every 2s"' in page.content.decode()

    screening_load_run(version_id=version.pk)

    version.refresh_from_db()
    assert version.state == VersionState.READY
    assert ListEntity.objects.filter(version=version).count() == 1
    assert not screening_upload_path(version).exists()
    fragment = client.get(response["Location"], headers={"HX-Request": "true"})
    content = fragment.content.decode()
    assert content.lstrip().startswith('<div id="load-progress"')
    assert "<html" not in content
    assert "every 2s" not in content  # done: the polling stops
    assert "In use" in content


def test_it_shows_why_a_load_failed(client, superuser, queued, django_capture_on_commit_callbacks):
    verified_login(client, superuser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("screening:lists"),
            {"dataset": "peps", "file": SimpleUploadedFile("bad.json", b"{broken\n")},
        )
    version = ListVersion.objects.get()

    screening_load_run(version_id=version.pk)

    content = client.get(
        reverse("screening:lists-version", args=[version.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "Failed" in content
    assert "line 1" in content
    assert "version in use stays in use" in content


def test_it_asks_again_for_a_bad_list_name(client, superuser, queued):
    verified_login(client, superuser)

    response = client.post(
        reverse("screening:lists"),
        {"dataset": "Sanctions List!", "file": SimpleUploadedFile("x.json", FTM)},
    )

    assert response.status_code == 422
    assert not ListVersion.objects.exists()
    assert queued == []


def test_it_answers_404_for_an_unknown_version(client, superuser):
    verified_login(client, superuser)

    assert client.get(reverse("screening:lists-version", args=[999])).status_code == 404
