from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # One address, one account: however it was typed (an admin form, a command).
        self.email = self.email.lower()
        super().save(*args, **kwargs)

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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


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
