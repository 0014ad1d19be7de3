"""Two-factor sign-in with TOTP (django-otp): enrolment with a QR code, recovery codes, and
the second step of a sign-in.

A person with a confirmed device replaces it only after giving their password and a current
code (or a recovery code) again: a password alone never reaches a new secret.
"""

import base64
import enum
import io
import time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from onboarding.accounts.models import User
from onboarding.accounts.roles import Role
from onboarding.accounts.services import user_role
from onboarding.accounts.signals import two_factor_changed
from onboarding.outbox.models import MailKind
from onboarding.outbox.services import mail_queue

RECOVERY_CODES = 10
REQUIRED_ROLES = (Role.ADMIN, Role.COMPLIANCE_OFFICER)
# How long a confirmation of password and code lets a person replace their device.
REAUTHENTICATED_SECONDS = 5 * 60
REAUTHENTICATED_SESSION_KEY = "two_factor_reauthenticated_at"


class TwoFactorChange(enum.StrEnum):
    ENROLLED = "enrolled"
    REPLACED = "replaced"
    RESET = "reset"


class EnrolmentRefused(Exception):
    """The person has a confirmed device and did not confirm it is them just now."""


def two_factor_required(*, user: User) -> bool:
    """Deployment superusers always (they can reach everything through Django admin); admins
    and compliance officers when TWO_FACTOR_REQUIRED."""
    if user.is_superuser:
        return True
    return bool(settings.TWO_FACTOR_REQUIRED) and user_role(user=user) in REQUIRED_ROLES


def two_factor_enrolled(*, user: User) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The device being enrolled: one not confirmed yet, made anew if there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def totp_qr_data_uri(*, device: TOTPDevice) -> str:
    """The device's otpauth URI as an SVG QR code, in a data URI (the CSP allows data images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def totp_secret(*, device: TOTPDevice) -> str:
    """The key as an authenticator app asks to type it (base32, in groups of four)."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def two_factor_reauthenticated(*, session: SessionBase) -> bool:
    """Whether the person gave their password and a code in this session just now."""
    at = session.get(REAUTHENTICATED_SESSION_KEY)
    return isinstance(at, int) and 0 <= time.time() - at <= REAUTHENTICATED_SECONDS


def two_factor_reauthenticated_mark(*, session: SessionBase) -> None:
    session[REAUTHENTICATED_SESSION_KEY] = int(time.time())


def two_factor_may_enrol(*, user: User, session: SessionBase) -> bool:
    return not two_factor_enrolled(user=user) or two_factor_reauthenticated(session=session)


def totp_enrol(
    *, user: User, device: TOTPDevice, token: str, session: SessionBase
) -> list[str] | None:
    """Confirms the device with a first code, replacing any earlier one; returns new recovery
    codes, or None if the code is wrong. Raises EnrolmentRefused for a person with a confirmed
    device who has not confirmed it is them just now (`two_factor_reauthenticated`)."""
    if device.user_id != user.pk:
        return None
    with transaction.atomic():
        # One enrolment at a time per person: the check and the replacement see the same devices.
        User.objects.select_for_update().filter(pk=user.pk).get()
        replacing = two_factor_enrolled(user=user)
        if replacing and not two_factor_reauthenticated(session=session):
            raise EnrolmentRefused
        if not device.verify_token(token.replace(" ", "")):
            return None
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
        change = TwoFactorChange.REPLACED if replacing else TwoFactorChange.ENROLLED
        _changed(user=user, actor=None, change=change)
    session.pop(REAUTHENTICATED_SESSION_KEY, None)
    return codes


@transaction.atomic
def two_factor_reset(*, user: User, actor: User) -> None:
    """A deployment administrator removes a person's devices (a lost phone and codes); the
    person sets up a new one at their next sign-in if their role needs it."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _changed(user=user, actor=actor, change=TwoFactorChange.RESET)


def _changed(*, user: User, actor: User | None, change: TwoFactorChange) -> None:
    two_factor_changed.send(sender=User, user=user, actor=actor, change=change)
    # Told to the person, so that a change they did not make does not go unnoticed.
    mail_queue(
        kind=MailKind.TWO_FACTOR_CHANGE,
        recipient_id=user.pk,
        to=[user.email],
        subject=_("Your two-factor sign-in changed"),
        body=render_to_string(
            "accounts/two_factor_changed_email.txt",
            {
                "change": change.value,
                "link": settings.SITE_URL + reverse("accounts:password-change"),
            },
        ),
    )
