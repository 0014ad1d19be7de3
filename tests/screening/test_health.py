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
