import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.validators import (
    country_codes,
    country_codes_validate,
    currency_validate,
    time_zone_validate,
)

DEFAULT_CURRENCY = "CLP"
DEFAULT_TIME_ZONE = "America/Santiago"
# A new tenant's high-risk countries: the FATF's "high-risk jurisdictions subject to a call
# for action" (PRK, IRN, MMR) and its "jurisdictions under increased monitoring", as the FATF
# published them in October 2025, the latest lists known when this was written (2026). The
# FATF revises them three times a year: each tenant keeps its own list current.
DEFAULT_HIGH_RISK_COUNTRIES = ",".join(
    (
        # Call for action.
        "PRK",
        "IRN",
        "MMR",
        # Increased monitoring.
        "DZA",
        "AGO",
        "BOL",
        "BGR",
        "CMR",
        "CIV",
        "COD",
        "HTI",
        "KEN",
        "LAO",
        "LBN",
        "MCO",
        "NAM",
        "NPL",
        "SSD",
        "SYR",
        "VEN",
        "VNM",
        "VGB",
        "YEM",
    )
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        # Addresses are stored in lower case; people type theirs in any case.
        return self.get(email=(username or "").strip().lower())


class User(AbstractUser):
    """A member of staff; the e-mail address is the login."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    # Raised whenever the account is saved inactive; part of every session's hash, so the
    # sessions opened before a deactivation stay ended after a reactivation.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # One address, one account: however it was typed (an admin form, a command).
        self.email = self.email.lower()
        if not self.is_active:
            self.session_generation += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "session_generation"}
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django checks every request's session against this (and its SECRET_KEY_FALLBACKS
        # variants); a person never deactivated keeps Django's own hash.
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        return salted_hmac(
            "onboarding.accounts.User.session_auth_hash",
            f"{self.session_generation}:{self.password}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Tenant(models.Model):
    """A firm on Altafid; every piece of client data belongs to exactly one."""

    name = models.CharField(_("name"), max_length=200)
    altafid_uuid = models.CharField(
        _("Altafid tenant UUID"),
        max_length=64,
        unique=True,
        help_text=_("Sent as x-tenant-uuid and as firmId on every call for this tenant."),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default=DEFAULT_CURRENCY,
        validators=[currency_validate],
        help_text=_(
            "ISO 4217 code of the currency the firm's amounts are in (CLP, USD). Altafid's "
            "bodies carry amounts as whole units without a currency."
        ),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[time_zone_validate],
        help_text=_("IANA time zone the firm's staff read times in (America/Santiago)."),
    )
    # Which documents a case needs before submission (documents.rules), besides those every
    # case needs.
    wealth_evidence_above = models.PositiveBigIntegerField(
        _("source-of-wealth evidence above"),
        null=True,
        blank=True,
        help_text=_(
            "Total net worth, in the tenant's currency, above which evidence of the source of "
            "wealth or funds is required (always for a politically exposed client). Empty: "
            "only for politically exposed clients."
        ),
    )
    address_proof_required = models.BooleanField(
        _("proof of address required"),
        default=False,
        help_text=_("Every onboarding needs a proof of the client's address before submission."),
    )
    # The risk rating's inputs (kyc.rating).
    high_risk_countries = models.CharField(
        _("high-risk countries"),
        max_length=1000,
        blank=True,
        default=DEFAULT_HIGH_RISK_COUNTRIES,
        validators=[country_codes_validate],
        help_text=_(
            "ISO 3166 alpha-3 codes, separated by commas (PRK,IRN). A client with a "
            "citizenship, birth country, address, identity document, employment or politically "
            "exposed relation in one of them is rated high risk. The default is the FATF's "
            "lists of October 2025: keep it current."
        ),
    )
    risk_wealth_above = models.PositiveBigIntegerField(
        _("medium risk above"),
        null=True,
        blank=True,
        help_text=_(
            "Total net worth or annual income, in the tenant's currency, above which a client "
            "is rated at least medium risk. Empty: amounts alone never raise the rating."
        ),
    )
    privacy_notice_version = models.CharField(
        _("privacy notice version"),
        max_length=40,
        default="1.0",
        help_text=_("The version of the privacy notice clients consent to now."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.currency = (self.currency or "").strip().upper()
        self.high_risk_countries = ",".join(country_codes(self.high_risk_countries))

    @property
    def high_risk_country_codes(self) -> frozenset[str]:
        return frozenset(country_codes(self.high_risk_countries))

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The tenant's time zone; the deployment's own if the stored name is not one."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class StaffProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile")
    altafid_staff_uuid = models.CharField(
        _("Altafid staff UUID"),
        max_length=64,
        blank=True,
        help_text=_("Sent as contactManagerId for the clients this person onboards."),
    )
    tenants = models.ManyToManyField(Tenant, related_name="staff", verbose_name=_("tenants"))

    def __str__(self) -> str:
        return f"Staff profile of {self.user}"
