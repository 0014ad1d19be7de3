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
from onboarding.outbox.models import MailKind, OutgoingMail
from onboarding.outbox.services import RETRIED_FOR, outgoing_mail_send
from onboarding.staff.models import AccessRequest
from tests.factories import PASSWORD, staff_create, verified_login

pytestmark = pytest.mark.django_db
# Nothing listens on port 1 of the loopback: a mail server that is down.
MAIL_SERVER_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 1,
}


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


def test_it_invites_and_shows_the_person_in_the_list(
    client, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:invite"), _invite_data(), follow=True)

    member = User.objects.get(email="nuevo@example.com")
    assert response.redirect_chain == [(reverse("staff:list"), 302)]
    assert reverse("staff:detail", args=[member.pk]) in response.content.decode()
    assert len(mail.outbox) == 1
    assert "http://testserver/invitation/" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_it_invites_and_keeps_the_e_mail_for_later_when_the_mail_server_is_down(
    client, admin, settings, caplog, django_capture_on_commit_callbacks
):
    for name, value in MAIL_SERVER_DOWN.items():
        setattr(settings, name, value)
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:invite"), _invite_data(), follow=True)

    member = User.objects.get(email="nuevo@example.com")
    assert response.redirect_chain == [(reverse("staff:list"), 302)]
    assert "Invitation for nuevo@example.com requested." in response.content.decode()
    assert Event.objects.filter(kind=EventKind.STAFF_INVITED, staff=member).exists()
    kept = OutgoingMail.objects.get(recipient=member, kind=MailKind.INVITATION)
    assert kept.tries == 1
    assert "could not send the invitation e-mail (ConnectionRefusedError)" in caplog.text
    assert "/invitation/" not in caplog.text
    page = client.get(reverse("staff:detail", args=[member.pk])).content.decode()
    assert "Not sent yet" in page
    assert "The mail server refused it once; next try at" in page


def test_it_says_on_the_persons_page_when_their_invitation_was_given_up_until_a_new_one_goes(
    client, tenant, admin, settings, django_capture_on_commit_callbacks
):
    invited = staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant])
    for name, value in MAIL_SERVER_DOWN.items():
        setattr(settings, name, value)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:resend", args=[invited.pk]), follow=True)
    assert "A new invitation is on its way to" in response.content.decode()
    kept = OutgoingMail.objects.get(recipient=invited)
    outgoing_mail_send(mail_id=kept.pk, now=kept.created_at + RETRIED_FOR)

    page = client.get(reverse("staff:detail", args=[invited.pk])).content.decode()

    assert "Could not be sent" in page
    assert "The mail server refused it 2 times; it is no longer tried." in page

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:resend", args=[invited.pk]))
    page = client.get(reverse("staff:detail", args=[invited.pk])).content.decode()
    assert [message.to for message in mail.outbox] == [[invited.email]]
    assert "Invitation e-mail" not in page


def _said(response):
    return re.search(r'<li class="message[^"]*">([^<]+)</li>', response.content.decode())[1]


def test_it_answers_alike_for_a_new_address_and_one_with_an_account_elsewhere(
    client, admin, far, deployment_admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        new = client.post(
            reverse("staff:invite"), _invite_data(email="nuevo@example.com"), follow=True
        )
        known = client.post(
            reverse("staff:invite"), _invite_data(email="FAR@example.com"), follow=True
        )

    assert new.redirect_chain == known.redirect_chain == [(reverse("staff:list"), 302)]
    assert _said(new).replace("nuevo@", "far@") == _said(known)
    assert "far@example.com" not in known.content.decode().replace(_said(known), "")
    assert [message.to for message in mail.outbox] == [
        ["nuevo@example.com"],
        [deployment_admin.email],
    ]


def test_it_lets_a_deployment_administrator_grant_a_request_in_django_admin(
    client, admin, far, deployment_admin, tenant
):
    client.force_login(admin)
    client.post(reverse("staff:invite"), _invite_data(email=far.email))
    request = AccessRequest.objects.get()
    verified_login(client, deployment_admin)
    page = client.get(reverse("admin:staff_accessrequest_change", args=[request.pk]))
    assert page.status_code == 200
    assert far.email in page.content.decode()

    response = client.post(
        reverse("admin:staff_accessrequest_changelist"),
        {"action": "grant", "_selected_action": [request.pk]},
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.granted is True
    client.force_login(admin)
    assert far.email in client.get(reverse("staff:list")).content.decode()


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
    assert "already in your staff list" in page
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


def test_it_refuses_an_address_that_mixes_alphabets_at_its_field(client, admin):
    client.force_login(admin)

    response = client.post(reverse("staff:invite"), _invite_data(email="rm@ex\u0430mple.com"))

    page = response.content.decode()
    assert response.status_code == 422
    assert 'aria-describedby="id_email-errors"' in page
    assert "mixes alphabets" in page
    assert not User.objects.filter(email__startswith="rm@").exists()


def test_it_does_not_revive_sessions_opened_before_a_deactivation(client, admin, officer):
    officer_client = client.__class__()
    officer_client.post(
        reverse("accounts:login"), {"username": officer.email, "password": PASSWORD}
    )
    assert officer_client.get(reverse("home:index")).status_code == 200
    client.force_login(admin)
    client.post(reverse("staff:access", args=[officer.pk]), {"confirm": "on"})
    client.post(reverse("staff:access", args=[officer.pk]), {"action": "reactivate"})

    response = officer_client.get(reverse("home:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    officer_client.post(
        reverse("accounts:login"), {"username": officer.email, "password": PASSWORD}
    )
    assert officer_client.get(reverse("home:index")).status_code == 200


def test_it_tells_the_admin_when_an_address_had_its_invitations_for_the_hour(
    client, admin, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_LIMIT_PER_ADDRESS = 2
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:invite"), _invite_data())
    member = User.objects.get(email="nuevo@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:resend", args=[member.pk]))

        response = client.post(reverse("staff:resend", args=[member.pk]), follow=True)

    assert len(mail.outbox) == 2
    assert "as many invitations as allowed in an hour (2)" in response.content.decode()


def test_it_tells_the_admin_when_their_ip_address_sent_its_invitations_for_the_hour(
    client, admin, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_LIMIT_PER_IP = 1
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:invite"), _invite_data())

        response = client.post(reverse("staff:invite"), _invite_data(email="otro@example.com"))

    assert response.status_code == 422
    assert "Too many invitations from your connection" in response.content.decode()
    assert not User.objects.filter(email="otro@example.com").exists()
    assert len(mail.outbox) == 1


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
