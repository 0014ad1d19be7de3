import pytest
from django.urls import reverse

from onboarding.accounts.roles import Role
from onboarding.accounts.services import SESSION_TENANT_KEY
from tests.factories import PASSWORD, TenantFactory, staff_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(settings):
    return TenantFactory(name="Andes Capital", altafid_uuid=settings.ALTAFID_TENANT_UUID)


@pytest.fixture
def rm(tenant):
    return staff_create(role=Role.RELATIONSHIP_MANAGER, tenants=[tenant])


def test_it_logs_staff_in_by_email(client, rm):
    response = client.post(reverse("accounts:login"), {"username": rm.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("home:index")


def test_it_says_why_a_login_failed_next_to_the_form(client, rm):
    response = client.post(reverse("accounts:login"), {"username": rm.email, "password": "wrong"})

    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
    assert rm.email.encode() in response.content


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(reverse("home:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_refuses_to_post_to_home(client, rm):
    client.force_login(rm)

    assert client.post(reverse("home:index")).status_code == 405


def test_it_switches_between_the_users_own_tenants(client, tenant):
    other = TenantFactory(name="Pacific Wealth")
    user = staff_create(tenants=[tenant, other])
    client.force_login(user)

    response = client.post(reverse("accounts:tenant-switch"), {"tenant": other.pk, "next": "/"})

    assert response.status_code == 302
    assert client.session[SESSION_TENANT_KEY] == other.pk


def test_it_ignores_a_switch_to_another_tenant(client, rm):
    stranger = TenantFactory(name="Not yours")
    client.force_login(rm)

    client.post(reverse("accounts:tenant-switch"), {"tenant": stranger.pk})

    assert SESSION_TENANT_KEY not in client.session


def test_it_refuses_to_switch_tenant_by_get(client, rm):
    client.force_login(rm)

    assert client.get(reverse("accounts:tenant-switch")).status_code == 405


def test_it_does_not_redirect_a_switch_off_site(client, rm, tenant):
    client.force_login(rm)

    response = client.post(
        reverse("accounts:tenant-switch"), {"tenant": tenant.pk, "next": "https://evil.example"}
    )

    assert response.url == reverse("home:index")


def test_it_tells_a_user_without_tenant_to_ask_an_admin(client):
    user = staff_create(tenants=[])
    client.force_login(user)

    response = client.get(reverse("home:index"))

    assert b"not assigned to any tenant" in response.content


def test_it_logs_out_by_post_only(client, rm):
    client.force_login(rm)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("home:index")).status_code == 302


def test_it_speaks_spanish_when_asked(client, rm, sandbox):
    client.force_login(rm)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})

    response = client.get(reverse("home:index"))

    assert "Cerrar sesión" in response.content.decode()


def test_it_sends_a_strict_content_security_policy(client):
    response = client.get(reverse("accounts:login"))

    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_it_signs_in_whatever_the_case_of_the_address(client, rm):
    response = client.post(
        reverse("accounts:login"), {"username": f" {rm.email.upper()} ", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("home:index")


@pytest.mark.parametrize("wanted", ["-1", "home", "Ju\x00an", "cases:list"])
def test_it_sends_a_switch_home_when_next_is_not_a_path(client, rm, tenant, wanted):
    client.force_login(rm)

    response = client.post(reverse("accounts:tenant-switch"), {"tenant": tenant.pk, "next": wanted})

    assert response.status_code == 302
    assert response.url == reverse("home:index")


@pytest.mark.parametrize("address", ["x" * 5000 + "@example.com", "rm@example.com\nx"])
def test_it_refuses_an_address_unfit_for_sign_in_at_its_field(client, rm, address):
    from axes.models import AccessAttempt

    response = client.post(reverse("accounts:login"), {"username": address, "password": "x"})

    assert response.status_code == 200
    assert response.context["form"].has_error("username")
    assert not AccessAttempt.objects.exists()
