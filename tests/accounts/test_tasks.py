"""The daily task that forgets expired sessions and old sign-ins."""

import datetime

import pytest
from axes.models import AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from onboarding.accounts.roles import Role
from onboarding.accounts.tasks import forget_expired_sign_ins
from tests.factories import PASSWORD, TenantFactory, staff_create

pytestmark = pytest.mark.django_db


def _session(expiry_seconds: int) -> str:
    store = SessionStore()
    store["kept"] = "something"
    store.set_expiry(expiry_seconds)
    store.create()
    assert store.session_key is not None
    return store.session_key


def test_it_deletes_expired_sessions_and_keeps_live_ones():
    live = _session(3600)
    expired = _session(3600)
    Session.objects.filter(session_key=expired).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    assert forget_expired_sign_ins() == 1

    assert set(Session.objects.values_list("session_key", flat=True)) == {live}


def test_it_forgets_sign_ins_older_than_their_retention(client, settings):
    settings.SIGN_IN_LOG_DAYS = 30
    rm = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[TenantFactory()])
    signed_in = client.post(reverse("accounts:login"), {"username": rm.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    recent = AccessLog.objects.get(username=rm.email)
    old = AccessLog.objects.create(username=rm.email, ip_address="198.51.100.7")
    AccessLog.objects.filter(pk=old.pk).update(
        attempt_time=timezone.now() - datetime.timedelta(days=30, seconds=1)
    )
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(hours=1))

    assert forget_expired_sign_ins() == 1

    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert client.get(reverse("cases:list")).status_code == 200


def test_it_has_the_beat_run_it_daily(settings):
    from onboarding.celery import app

    name = "onboarding.accounts.tasks.forget_expired_sign_ins"
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == name]

    assert [entry["schedule"] for entry in entries] == [24 * 3600.0]
    app.loader.import_default_modules()
    assert name in app.tasks
