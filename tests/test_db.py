import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onboarding.cases.services import case_create
from onboarding.db import update_returning
from onboarding.submissions.models import Step, StepKind, StepState
from tests.cases.conftest import rm, tenant  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def step(tenant, rm):  # noqa: F811
    case = case_create(tenant=tenant, owner=rm)
    return Step.objects.create(
        case=case, kind=StepKind.CREATE, position=0, tries=2, payload={"firstName": "Ana"}
    )


def test_it_returns_the_rows_it_changed_as_they_now_are(step):
    later = timezone.now() + datetime.timedelta(minutes=5)

    with CaptureQueriesContext(connection) as queries:
        changed = update_returning(
            Step.objects.filter(pk=step.pk, state=StepState.WAITING),
            state=StepState.RUNNING,
            lease_expires_at=later,
            tries=F("tries") + 1,
        )

    assert len(queries) == 1
    assert [row.pk for row in changed] == [step.pk]
    claimed = changed[0]
    assert claimed.state == StepState.RUNNING
    assert claimed.tries == 3
    assert claimed.lease_expires_at == later
    assert claimed.payload == {"firstName": "Ana"}
    step.refresh_from_db()
    assert (step.state, step.tries) == (StepState.RUNNING, 3)


def test_it_changes_and_returns_nothing_when_no_row_matches(step):
    changed = update_returning(
        Step.objects.filter(pk=step.pk, state=StepState.QUEUED), state=StepState.RUNNING
    )

    assert changed == []
    step.refresh_from_db()
    assert step.state == StepState.WAITING
