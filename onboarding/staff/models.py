from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import Tenant
from onboarding.accounts.roles import Role


class AccessRequest(models.Model):
    """A tenant admin invited an address that already has an account elsewhere.

    The admin is not told so (it would show who works for other tenants); a deployment
    administrator decides in Django admin, and the person appears in the tenant's staff list
    once granted.
    """

    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="+", verbose_name=_("tenant")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role asked for"), max_length=40, choices=Role.choices)
    altafid_staff_uuid = models.CharField(_("Altafid staff UUID asked for"), max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    granted = models.BooleanField(_("granted"), null=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True)

    class Meta:
        verbose_name = _("staff access request")
        ordering = ("-requested_at",)
        constraints = [
            # One open request per person and tenant: asking again changes nothing.
            models.UniqueConstraint(
                fields=("tenant", "member"),
                condition=models.Q(decided_at__isnull=True),
                name="staff_accessrequest_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.tenant}"
