import pytest

from onboarding.health.services import sweeper_last
from onboarding.submissions.tasks import sweep_steps


@pytest.mark.django_db
def test_it_records_each_sweep_for_the_health_page():
    assert sweeper_last() is None

    sweep_steps()

    last = sweeper_last()
    assert last is not None
    assert last["swept"] == 0
