import re

import pytest
from django.core import mail
from django.urls import reverse

from onboarding.accounts.models import User
from onboarding.accounts.roles import Role
from onboarding.accounts.services import user_role
from onboarding.audit.models import Event, EventKind
from onboarding.cases.models import Case
from onboarding.cases.services import case_create
from tests.factories import PASSWORD, staff_create

pytestmark = pytest.mark.django_db


def _invite_data(**fields):
    data = {
        "email": "nuevo@example.com",
        "first_name": "Nuevo",
        "last_name": "Pérez",
        "role": "relationship_manager",
        "altafid_staff_uuid": "PS" + "2" * 32,
    }
    data.update(fields)
    return data


def test_it_lists_the_staff_of_the_admins_tenant_only(client, admin, rm, elsewhere):
    staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[elsewhere], email="far@example.com")
    client.force_login(admin)

    response = client.get(reverse("staff:list"))

    page = response.content.decode()
    assert response.status_code == 200
    assert rm.email in page
    assert "far@example.com" not in page
    assert reverse("staff:invite") in page


def test_it_answers_htmx_with_the_results_only(client, admin, rm):
    client.force_login(admin)

    response = client.get(reverse("staff:list"), {"q": "rosa@"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert page.strip().startswith('<div id="results">')
    assert "<html" not in page
    assert rm.email in page
    assert admin.email not in page


def test_it_shows_the_staff_link_to_admins_only(client, admin, rm):
    client.force_login(admin)
    assert reverse("staff:list") in client.get(reverse("cases:list")).content.decode()

    client.force_login(rm)
    assert reverse("staff:list") not in client.get(reverse("cases:list")).content.decode()


def test_it_invites_and_redirects_to_the_person(client, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:invite"), _invite_data())

    member = User.objects.get(email="nuevo@example.com")
    assert response.status_code == 302
    assert response.url == reverse("staff:detail", args=[member.pk])
    assert len(mail.outbox) == 1
    assert "http://testserver/invitation/" in mail.outbox[0].body


def test_it_keeps_what_was_typed_and_says_what_is_wrong_next_to_the_field(client, admin, rm):
    client.force_login(admin)

    response = client.post(
        reverse("staff:invite"), _invite_data(email=rm.email, first_name="Mantenido")
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert 'value="Mantenido"' in page
    assert 'id="id_email-errors"' in page
    assert 'aria-describedby="id_email-errors"' in page
    assert "already has an account" in page
    assert User.objects.filter(email__iexact=rm.email).count() == 1


def test_it_lets_the_invited_person_choose_a_password_once(
    client, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:invite"), _invite_data())
    client.logout()
    link = re.search(r"http://testserver(/invitation/\S+)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Choose your password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "a-long-new-pass-2026", "new_password2": "a-long-new-pass-2026"}
    )

    assert response.status_code == 302
    assert response.url == reverse("home:index")
    member = User.objects.get(email="nuevo@example.com")
    assert member.check_password("a-long-new-pass-2026")
    assert client.get(reverse("home:index")).status_code == 200
    client.logout()
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_it_refuses_the_link_of_someone_deactivated_since(
    client, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:invite"), _invite_data())
    member = User.objects.get(email="nuevo@example.com")
    client.post(reverse("staff:access", args=[member.pk]), {"confirm": "on"})
    client.logout()
    link = re.search(r"http://testserver(/invitation/\S+)", mail.outbox[0].body).group(1)

    response = client.get(link, follow=True)

    assert "This link no longer works" in response.content.decode()


def test_it_changes_a_role(client, admin, officer):
    client.force_login(admin)

    response = client.post(
        reverse("staff:role", args=[officer.pk]), {"role": "admin", "altafid_staff_uuid": ""}
    )

    assert response.status_code == 302
    assert user_role(user=officer) == Role.ADMIN


def test_it_shows_a_refused_role_change_next_to_the_field(client, admin, rm, tenant):
    case_create(tenant=tenant, owner=rm)
    client.force_login(admin)

    response = client.post(
        reverse("staff:role", args=[rm.pk]), {"role": "admin", "altafid_staff_uuid": "PS1"}
    )

    assert response.status_code == 422
    assert 'id="id_role-errors"' in response.content.decode()
    assert user_role(user=rm) == Role.RELATIONSHIP_MANAGER


def test_it_deactivates_with_a_hand_over_and_logs_the_person_out(
    client, admin, rm, other_rm, tenant
):
    case = case_create(tenant=tenant, owner=rm)
    rm_client = client.__class__()
    rm_client.post(reverse("accounts:login"), {"username": rm.email, "password": PASSWORD})
    assert rm_client.get(reverse("cases:list")).status_code == 200
    client.force_login(admin)

    refused = client.post(reverse("staff:access", args=[rm.pk]), {"confirm": "on"})
    assert refused.status_code == 422
    assert 'id="id_hand_over_to-errors"' in refused.content.decode()

    response = client.post(
        reverse("staff:access", args=[rm.pk]), {"confirm": "on", "hand_over_to": other_rm.pk}
    )

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).owner == other_rm
    after = rm_client.get(reverse("cases:list"))
    assert after.status_code == 302
    assert after.url.startswith(reverse("accounts:login"))
    refused = rm_client.post(
        reverse("accounts:login"), {"username": rm.email, "password": PASSWORD}
    )
    assert refused.status_code == 200
    assert "Please enter a correct" in refused.content.decode()


def test_it_needs_the_box_ticked_to_deactivate(client, admin, officer):
    client.force_login(admin)

    response = client.post(reverse("staff:access", args=[officer.pk]), {})

    assert response.status_code == 422
    assert "Tick the box to confirm." in response.content.decode()
    officer.refresh_from_db()
    assert officer.is_active


def test_it_reactivates(client, admin, officer):
    client.force_login(admin)
    client.post(reverse("staff:access", args=[officer.pk]), {"confirm": "on"})

    response = client.post(reverse("staff:access", args=[officer.pk]), {"action": "reactivate"})

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.is_active


def test_it_shows_a_persons_history(client, admin, officer):
    client.force_login(admin)
    client.post(reverse("staff:role", args=[officer.pk]), {"role": "admin"})

    response = client.get(reverse("staff:detail", args=[officer.pk]))

    page = response.content.decode()
    assert "Role changed" in page
    assert "From Compliance officer to Administrator" in page
    assert Event.objects.filter(staff=officer, kind=EventKind.STAFF_ROLE_CHANGED).exists()


def test_it_offers_no_changes_on_the_admins_own_page(client, admin):
    client.force_login(admin)

    response = client.get(reverse("staff:detail", args=[admin.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("staff:role", args=[admin.pk]) not in page
    assert "This is you" in page


@pytest.mark.parametrize(
    "params", [{"q": "ro\x00sa"}, {"q": "x" * 5000}, {"role": "\x00"}, {"state": "\u202e"}]
)
def test_it_lists_staff_whatever_the_search_and_filters_hold(client, admin, rm, params):
    client.force_login(admin)

    response = client.get(reverse("staff:list"), params)

    assert response.status_code == 200


def test_it_finds_staff_by_a_search_with_a_control_character_in_it(client, admin, rm):
    client.force_login(admin)

    response = client.get(reverse("staff:list"), {"q": "rosa\x00"}, headers={"HX-Request": "true"})

    assert rm.email in response.content.decode()


@pytest.mark.parametrize("name", ["Nuevo\nBcc: x@example.com", "Nue\x1bvo", "Nue\tvo"])
def test_it_refuses_an_invitation_whose_name_is_not_on_one_line(client, admin, name):
    client.force_login(admin)
    users = User.objects.count()

    response = client.post(reverse("staff:invite"), _invite_data(first_name=name))

    assert response.status_code == 422
    assert response.context["form"].has_error("first_name")
    assert User.objects.count() == users
    assert not mail.outbox
