import pytest
from django.urls import reverse

from onboarding.submissions.models import Step
from tests.submissions.conftest import steps_drive, submit

pytestmark = pytest.mark.django_db


def test_it_shows_an_admin_each_attempt_masked_and_nothing_to_edit(
    admin_client, ready_case, rm, sandbox
):
    submit(ready_case, rm)
    steps_drive(ready_case)
    create = Step.objects.get(case=ready_case, kind="create")

    listing = admin_client.get(reverse("admin:submissions_step_changelist"))
    detail = admin_client.get(reverse("admin:submissions_step_change", args=[create.pk]))

    html = detail.content.decode()
    assert listing.status_code == 200
    assert "identityId" in html
    assert "•••" in html
    assert "12.345.678-5" not in html
    assert 'name="_save"' not in html
