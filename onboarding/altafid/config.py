from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class AltafidConnection:
    """How this deployment reaches Altafid; built once from settings (see README)."""

    base_url: str
    token: str | None
    login_email: str | None
    login_password: str | None
    user_email: str
    user_id: str
    user_type: str
    connect_timeout: float
    read_timeout: float

    def __repr__(self) -> str:
        # Keeps the token and password out of logs and tracebacks.
        return f"AltafidConnection(base_url={self.base_url!r}, user_id={self.user_id!r})"


def _required(name: str) -> str:
    value = getattr(settings, name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set")
    return str(value)


def connection_from_settings() -> AltafidConnection:
    return AltafidConnection(
        base_url=_required("ALTAFID_BASE_URL"),
        token=settings.ALTAFID_TOKEN,
        login_email=settings.ALTAFID_LOGIN_EMAIL,
        login_password=settings.ALTAFID_LOGIN_PASSWORD,
        user_email=_required("ALTAFID_USER_EMAIL"),
        user_id=_required("ALTAFID_USER_ID"),
        user_type=settings.ALTAFID_USER_TYPE,
        connect_timeout=settings.ALTAFID_CONNECT_TIMEOUT,
        read_timeout=settings.ALTAFID_READ_TIMEOUT,
    )
