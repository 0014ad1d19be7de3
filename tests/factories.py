import factory
from django.contrib.auth.models import Group

from onboarding.accounts.models import StaffProfile, Tenant, User
from onboarding.accounts.roles import Role

PASSWORD = "correct-horse-battery"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("altafid_uuid",)

    name = factory.Sequence(lambda n: f"Tenant {n}")
    altafid_uuid = factory.Sequence(lambda n: f"T{n:032X}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    first_name = "Rosa"
    last_name = "Muñoz"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)


def staff_create(
    *, role: Role = Role.RELATIONSHIP_MANAGER, tenants: list[Tenant] | None = None, **fields: object
) -> User:
    """A staff member in `role` working in `tenants` (a new tenant when none are given)."""
    user = UserFactory(**fields)
    user.save()
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    profile = StaffProfile.objects.create(user=user, altafid_staff_uuid="PS" + "0" * 32)
    profile.tenants.set(tenants if tenants is not None else [TenantFactory()])
    return user


def verified_login(client, user: User) -> None:
    """Signs `user` in with both factors, as the two-factor page leaves a session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def document_create(
    *, case, kind: str = "identity", data: bytes | None = None, title: str = "", user=None
):
    """A document on `case` with real bytes (a small JPEG unless `data` is given), attached
    by its owner as the RM's upload would be: checked, re-encoded, stored encrypted."""
    from onboarding.documents.models import DocumentKind
    from onboarding.documents.services import document_attach
    from tests.documents import samples

    return document_attach(
        case=case,
        user=user or case.owner,
        kind=DocumentKind(kind),
        data=samples.jpeg() if data is None else data,
        title=title,
    )
