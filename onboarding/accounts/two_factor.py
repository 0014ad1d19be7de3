"""Two-factor sign-in with TOTP (django-otp): enrolment with a QR code, recovery codes, and
the second step of a sign-in."""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from onboarding.accounts.models import User
from onboarding.accounts.roles import Role
from onboarding.accounts.services import user_role

RECOVERY_CODES = 10
REQUIRED_ROLES = (Role.ADMIN, Role.COMPLIANCE_OFFICER)


def two_factor_required(*, user: User) -> bool:
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


def totp_enrol(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirms the device with a first code; returns new recovery codes, None if wrong."""
    if device.user_id != user.pk or not device.verify_token(token.replace(" ", "")):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    return codes
