"""Each list's version, entity count and age on the admins' health page, and the alert."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.roles import Role
from onboarding.screening.models import ListVersion
from tests.factories import staff_create, verified_login
from tests.screening.conftest import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = staff_create(role=Role.ADMIN)
    verified_login(client, user)
    return user


def test_it_shows_each_list_in_use_on_the_health_page(client, admin, list_load):
    list_load([person("a", "Ana Soto"), person("b", "Oleg Titov")], dataset="peps")

    content = client.get(reverse("health:status")).content.decode()

    assert "Screening lists" in content
    assert "<code>peps</code>" in content
    assert "<td>2</td>" in content
    assert "0.0 days" in content
    assert "out of date" not in content


def test_it_raises_an_alert_when_a_list_is_older_than_allowed(client, admin, list_load, settings):
    settings.SCREENING_LIST_MAX_AGE_DAYS = 7
    version = list_load([person("a", "Ana Soto")], dataset="sanctions")
    ListVersion.objects.filter(pk=version.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=8)
    )

    content = client.get(reverse("health:status")).content.decode()

    assert "Screening lists out of date" in content
    assert "older than 7 days" in content
    assert "version 1, 8 days old" in content


def test_it_says_when_no_list_is_loaded(client, admin):
    content = client.get(reverse("health:status")).content.decode()

    assert "No screening list is loaded" in content


def test_it_fails_a_load_whose_worker_was_lost_and_says_so_until_a_load_succeeds(
    client, admin, list_load, settings
):
    from onboarding.screening.loading import screening_version_start
    from onboarding.screening.models import NameKey, VersionState
    from onboarding.screening.services import screening_loads_stalled_fail

    settings.SCREENING_LOAD_TIME_LIMIT = 600
    in_use = list_load([person("a", "Ana Soto")], dataset="peps")
    lost = screening_version_start(dataset="peps")
    NameKey.objects.create(version=lost, key="sn", ordinal=1)
    running = screening_version_start(dataset="sanctions")
    started = timezone.now() - datetime.timedelta(seconds=600 + 301)
    ListVersion.objects.filter(pk=lost.pk).update(started_at=started)

    failed = screening_loads_stalled_fail()
    lost.refresh_from_db()
    running.refresh_from_db()
    content = client.get(reverse("health:status")).content.decode()
    still_in_use = ListVersion.objects.get(pk=in_use.pk).is_current
    list_load([person("a", "Ana Soto")], dataset="peps")
    after = client.get(reverse("health:status")).content.decode()

    assert failed == 1
    assert lost.state == VersionState.FAILED
    assert "worker was lost" in lost.error
    assert not NameKey.objects.filter(version=lost).exists()
    assert running.state == VersionState.LOADING
    assert still_in_use
    assert "A list's last load failed" in content
    assert "version 2" in content
    assert "last load failed" not in after
