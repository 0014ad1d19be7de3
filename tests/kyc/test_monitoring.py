"""Screening every client again after a list changed: only the clients that the version's
new or changed listed people match, or whose hit changed or left the list, are screened
again; the others' screenings stand."""

import datetime
import json

import pytest
from django.utils import timezone

from onboarding.cases.lifecycle import CaseStatus, Section
from onboarding.cases.models import Case
from onboarding.cases.services import case_create, case_section_save
from onboarding.documents.demo import case_fill
from onboarding.kyc.hits import case_screen, hits_of_case
from onboarding.kyc.models import Rescreening, ScreeningReason, ScreeningRun
from onboarding.kyc.monitoring import rescreening_run, rescreenings_resume
from onboarding.screening.loading import screening_list_load

pytestmark = pytest.mark.django_db


def listed(entity_id, name, birth_date, country, **more):
    properties = {"name": [name], "birthDate": [birth_date], "nationality": [country], **more}
    return {"id": entity_id, "schema": "Person", "properties": properties}


# The filled-in case's client is Juan García López, born 1980-05-20, Chilean.
GARCIA = listed("pep-garcia", "Juan García", "1980-05-20", "cl", topics=["role.pep"])
IVANOV = listed("sanction-ivanov", "Иван Иванов", "1961-02-03", "ru", topics=["sanction"])
ROJAS = listed("pep-rojas", "María Rojas Soto", "1975-03-04", "cl", topics=["role.pep"])


@pytest.fixture
def load(tmp_path):
    def load(*entities):
        path = tmp_path / f"peps-{len(list(tmp_path.iterdir()))}.ftm.json"
        path.write_text("\n".join(json.dumps(entity) for entity in entities) + "\n")
        return screening_list_load(path=path, dataset="peps")

    return load


def rescreen(version):
    rescreening = Rescreening.objects.create(
        dataset=version.dataset, list_version=version.pk, total=Case.objects.count()
    )
    return rescreening_run(rescreening_id=rescreening.pk)


def client_in_altafid(tenant, rm, **names):
    case = case_fill(case_create(tenant=tenant, owner=rm), rm)
    if names:
        raw = {**case.draft(Section.CLIENT), **{key: [value] for key, value in names.items()}}
        case_section_save(case=case, section=Section.CLIENT, raw=raw, version=case.version, user=rm)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.IN_ALTAFID)
    case.refresh_from_db()
    case_screen(case=case, reason=ScreeningReason.SUBMITTED, actor=None)
    return case


@pytest.fixture
def clients(tenant, rm, load):
    """Two clients screened at submission against a first version, whose re-screening is done."""
    rescreen(load(IVANOV))
    garcia = client_in_altafid(tenant, rm)
    other = client_in_altafid(
        tenant, rm, first_name="Pedro", paternal_last_name="Muñoz", maternal_last_name="Vera"
    )
    return garcia, other


def reasons(case):
    return list(ScreeningRun.objects.filter(case=case).values_list("reason", flat=True))


def test_it_screens_again_only_the_client_a_new_listed_person_matches(clients, load):
    garcia, other = clients

    rescreening = rescreen(load(IVANOV, GARCIA, ROJAS))

    assert (rescreening.changed_entities, rescreening.screened) == (2, 1)
    assert (rescreening.done, rescreening.total, rescreening.new_hits) == (2, 2, 1)
    assert reasons(garcia) == [ScreeningReason.LISTS, ScreeningReason.SUBMITTED]
    assert reasons(other) == [ScreeningReason.SUBMITTED]
    assert [hit.entity_id for hit in hits_of_case(case=garcia)] == ["pep-garcia"]


def test_it_screens_again_a_client_whose_listed_person_changed_or_left(clients, load):
    garcia, other = clients
    rescreen(load(IVANOV, GARCIA))
    moved = listed("pep-garcia", "Juan García", "1980-05-20", "cl", topics=["role.pep", "crime"])

    changed = rescreen(load(IVANOV, moved))
    changed_hit = hits_of_case(case=garcia).get()
    left = rescreen(load(IVANOV))

    assert (changed.changed_entities, changed.screened, changed.new_hits) == (1, 1, 1)
    assert changed_hit.topic_codes == ["crime", "role.pep"]
    assert (left.changed_entities, left.screened, left.new_hits) == (0, 1, 0)
    assert not hits_of_case(case=garcia).exists()
    assert reasons(other) == [ScreeningReason.SUBMITTED]


def test_it_screens_nobody_again_when_the_list_did_not_change(clients, load):
    rescreening = rescreen(load(IVANOV))

    assert (rescreening.changed_entities, rescreening.screened) == (0, 0)
    assert rescreening.done == rescreening.total == 2
    assert rescreening.finished_at is not None


def test_it_screens_a_client_never_screened(clients, load, tenant, rm):
    never = case_fill(case_create(tenant=tenant, owner=rm), rm)
    Case.objects.filter(pk=never.pk).update(status=CaseStatus.IN_ALTAFID)

    rescreening = rescreen(load(IVANOV))

    assert rescreening.screened == 1
    assert reasons(never) == [ScreeningReason.LISTS]


def test_it_compares_the_whole_list_when_the_last_change_was_not_screened(
    tenant, rm, load, clients
):
    garcia, _other = clients
    load(IVANOV, GARCIA)

    rescreening = rescreen(load(IVANOV, GARCIA, ROJAS))

    assert rescreening.changed_entities == 3
    assert rescreening.screened == 1
    assert [hit.entity_id for hit in hits_of_case(case=garcia)] == ["pep-garcia"]


def test_it_leaves_a_replaced_versions_rescreening_to_the_next(clients, load):
    first = load(IVANOV, GARCIA)
    replaced = Rescreening.objects.create(dataset="peps", list_version=first.pk, total=2)
    load(IVANOV, GARCIA, ROJAS)

    rescreening = rescreening_run(rescreening_id=replaced.pk)

    assert rescreening.superseded
    assert rescreening.finished_at is not None
    assert rescreening.screened == 0


def lease_in(seconds):
    return timezone.now() + datetime.timedelta(seconds=seconds)


def test_it_leaves_alone_a_rescreening_another_worker_holds(clients, load):
    version = load(IVANOV, GARCIA)
    held = Rescreening.objects.create(
        dataset="peps", list_version=version.pk, total=2, lease_expires_at=lease_in(300)
    )

    rescreening = rescreening_run(rescreening_id=held.pk)

    assert rescreening.finished_at is None
    assert rescreening.lease_expires_at == held.lease_expires_at
    assert reasons(clients[0]) == [ScreeningReason.SUBMITTED]


def test_it_takes_over_a_lost_rescreening_after_the_last_client_done(clients, load, tenant, rm):
    garcia, _other = clients
    later = client_in_altafid(tenant, rm, first_name="Juan", paternal_last_name="García")
    version = load(IVANOV, GARCIA)
    lost = Rescreening.objects.create(
        dataset="peps",
        list_version=version.pk,
        total=3,
        last_case_id=garcia.pk,
        lease_expires_at=lease_in(-1),
    )

    rescreening = rescreening_run(rescreening_id=lost.pk)

    assert rescreening.finished_at is not None
    assert rescreening.lease_expires_at is None
    assert (rescreening.screened, rescreening.done) == (2, 3)
    assert reasons(garcia) == [ScreeningReason.SUBMITTED]
    assert reasons(later) == [ScreeningReason.LISTS, ScreeningReason.SUBMITTED]


def test_it_stops_when_another_worker_took_its_lease_over(
    clients, load, monkeypatch, tenant, rm, caplog
):
    from onboarding.kyc import monitoring

    never = case_fill(case_create(tenant=tenant, owner=rm), rm)
    Case.objects.filter(pk=never.pk).update(status=CaseStatus.IN_ALTAFID)

    screened = []
    taken_over = lease_in(600)

    def screen_and_lose_the_lease(*, case_id, reason):
        screened.append(case_id)
        Rescreening.objects.update(lease_expires_at=taken_over)
        return False

    monkeypatch.setattr(monitoring, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(monitoring, "client_rescreen", screen_and_lose_the_lease)

    rescreening = rescreen(load(IVANOV, GARCIA))

    assert screened == [clients[0].pk]
    assert rescreening.finished_at is None
    assert rescreening.lease_expires_at == taken_over
    assert f"re-screening {rescreening.pk}: its lease was taken over" in caplog.text


def test_it_does_not_run_a_finished_rescreening_again(clients, load):
    finished = rescreen(load(IVANOV, GARCIA))
    runs = ScreeningRun.objects.count()

    again = rescreening_run(rescreening_id=finished.pk)

    assert again.finished_at == finished.finished_at
    assert ScreeningRun.objects.count() == runs


def test_it_sends_again_only_the_rescreenings_whose_worker_was_lost(clients, load, monkeypatch):
    from onboarding.kyc.tasks import clients_rescreen

    version = load(IVANOV, GARCIA)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    lost = Rescreening.objects.create(
        dataset="peps", list_version=version.pk, total=2, lease_expires_at=lease_in(-1)
    )
    never_started = Rescreening.objects.create(
        dataset="peps", list_version=version.pk, total=2, started_at=long_ago
    )
    held = Rescreening.objects.create(
        dataset="peps", list_version=version.pk, total=2, lease_expires_at=lease_in(300)
    )
    just_queued = Rescreening.objects.create(dataset="peps", list_version=version.pk, total=2)
    sent = []
    monkeypatch.setattr(
        clients_rescreen,
        "delay",
        lambda rescreening_id: (
            sent.append(rescreening_id) or clients_rescreen.apply(args=(rescreening_id,))
        ),
    )

    assert rescreenings_resume() == 2

    assert sorted(sent) == sorted([lost.pk, never_started.pk])
    finished = Rescreening.objects.filter(finished_at__isnull=False)
    assert set(finished.values_list("pk", flat=True)) >= {lost.pk, never_started.pk}
    assert {held.pk, just_queued.pk}.isdisjoint(finished.values_list("pk", flat=True))


def test_it_has_the_beat_look_for_lost_rescreenings(settings):
    from onboarding.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "onboarding.kyc.tasks.resume_rescreenings" in scheduled
    app.loader.import_default_modules()
    assert "onboarding.kyc.tasks.resume_rescreenings" in app.tasks
