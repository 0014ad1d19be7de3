from typing import Any, cast

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import Tenant
from onboarding.cases.lifecycle import CLOSED, CaseStatus, Section
from onboarding.core.crypto import EncryptedJSONField

__all__ = ["Case", "CaseStatus", "DuplicateDecision", "Section", "SectionRevision"]


class DuplicateDecision(models.TextChoices):
    """What the RM decided when Altafid already had a contact that may be this client."""

    NONE = "", _("Not needed")
    LINKED = "linked", _("Linked to the existing contact")
    NEW_CONTACT = "new_contact", _("A different person: create a new contact")


class Case(models.Model):
    """One client's onboarding, from first draft to activation.

    Only what the RM's table shows and searches is kept in clear (the client's name, e-mail,
    status); everything typed into the sections lives in `drafts`, encrypted, exactly as it
    was typed, valid or not. `version` refuses a save based on an older copy.
    """

    # No index of its own: the composite indexes below, each led by the tenant, serve its
    # lookups, and every change of a case's status writes each of the case's indexes.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases"
    )
    client_name = models.CharField(_("client name"), max_length=300, blank=True)
    client_email = models.CharField(_("client e-mail"), max_length=254, blank=True)
    identity_hash = models.CharField(max_length=64, blank=True)
    # For a RUT, a keyed hash of its digits without the check digit: a search for
    # "15.234.567" or "15234567" finds 15.234.567-4 (`cases_search`).
    identity_body_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    current_section = models.CharField(
        _("current section"), max_length=20, choices=Section.choices, default=Section.CLIENT
    )
    drafts = EncryptedJSONField(default=dict)
    # Per section: {"saved": bool, "blocking": int, "filled": bool, "version": the case
    # version it last changed at} (counts only, nothing the client typed).
    section_states = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=1)
    # Altafid's key for the contact, stored the moment a create call answers with it (or when
    # the RM links the case to a contact Altafid already had).
    contact_uuid = models.CharField(max_length=64, blank=True)
    duplicate_decision = models.CharField(
        max_length=20, choices=DuplicateDecision.choices, blank=True, default=""
    )
    # Why the RM says the client is not a contact Altafid already has (free text, so
    # encrypted); the compliance officer sees it beside a flag.
    duplicate_reason = EncryptedJSONField(null=True, blank=True)
    # Data Altafid already received was edited since: an amendment waits to be submitted.
    unsent_changes = models.BooleanField(default=False)
    # The client's data here was erased (on request, or after the retention period): the
    # case keeps its states, its Altafid contact UUID and its audit trail, and nothing else.
    erased_at = models.DateTimeField(null=True, blank=True)
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
            models.Index(fields=["tenant", "client_email"]),
            # The same client's other cases, found by their identity number's hash.
            models.Index(fields=["tenant", "identity_hash"], name="cases_case_identity_idx"),
            models.Index(
                fields=["tenant", "identity_body_hash"], name="cases_case_identity_body_idx"
            ),
            # An RM's counts by status (the list's, the home page's), from the index alone.
            models.Index(fields=["tenant", "owner", "status", "updated_at"]),
            # A tenant's steps or reviews joined to their cases: the tenant's case IDs in order,
            # or one case's tenant, read here rather than in the table's wide rows.
            models.Index(fields=["tenant", "id"], name="cases_case_tenant_ids_idx"),
        ]
        constraints = [
            # One open or activated onboarding holds an Altafid contact: another RM's case can
            # neither create nor link to it, so it cannot overwrite that client (`contact_holder`).
            models.UniqueConstraint(
                fields=["tenant", "contact_uuid"],
                condition=~models.Q(contact_uuid="") & ~models.Q(status__in=CLOSED),
                name="cases_case_one_holder_per_contact",
            ),
        ]

    def __str__(self) -> str:
        return self.client_name or f"#{self.pk}"

    def draft(self, section: Section) -> dict[str, list[str]] | None:
        data = cast(dict[str, Any], self.drafts or {})
        return data.get(section.value)

    def section_state(self, section: Section) -> dict[str, Any]:
        return (self.section_states or {}).get(section.value, {})


class SectionRevision(models.Model):
    """A section's draft as one save left it (or, not applied, as a refused save sent it).

    A save refused because the case changed meanwhile is kept here, so nothing typed is lost,
    and the three versions (what the RM started from, what they typed, the latest) tell
    which fields each side changed.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="revisions")
    section = models.CharField(max_length=20, choices=Section.choices)
    # The case version this draft is (applied), or the one the refused save started from.
    case_version = models.PositiveIntegerField()
    raw = EncryptedJSONField()
    applied = models.BooleanField(default=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("case_id", "-case_version", "-id")
        indexes = [models.Index(fields=["case", "section", "applied", "-case_version"])]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.section}@{self.case_version}"
