from typing import Any, cast

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import Tenant
from onboarding.cases.crypto import EncryptedJSONField


class Section(models.TextChoices):
    CLIENT = "client", _("Client")
    SALES = "sales", _("Sales profile")
    COMPLIANCE = "compliance", _("Compliance (KYC)")
    ACTIVATION = "activation", _("Activation")


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    READY = "ready", _("Ready to submit")


class Case(models.Model):
    """One client's onboarding, from first draft to activation.

    Only what the RM's table shows and searches is kept in clear (the client's name, e-mail,
    status); everything typed into the sections lives in `drafts`, encrypted, exactly as it
    was typed, valid or not. `version` refuses a save based on an older copy.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="cases")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases"
    )
    client_name = models.CharField(_("client name"), max_length=300, blank=True)
    client_email = models.CharField(_("client e-mail"), max_length=254, blank=True)
    identity_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    current_section = models.CharField(
        _("current section"), max_length=20, choices=Section.choices, default=Section.CLIENT
    )
    drafts = EncryptedJSONField(default=dict)
    # Per section: {"saved": bool, "blocking": int} (counts only, nothing the client typed).
    section_states = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)
    # Altafid's key for the contact, stored the moment a create call answers with it.
    contact_uuid = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ("-updated_at",)
        indexes = [
            models.Index(fields=["tenant", "owner", "-updated_at"]),
            models.Index(fields=["tenant", "status"]),
        ]

    def __str__(self) -> str:
        return self.client_name or f"#{self.pk}"

    def draft(self, section: Section) -> dict[str, list[str]] | None:
        data = cast(dict[str, Any], self.drafts or {})
        return data.get(section.value)

    def section_state(self, section: Section) -> dict[str, Any]:
        return (self.section_states or {}).get(section.value, {})
