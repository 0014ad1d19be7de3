"""The evidence on a case: documents the RM attaches, and the client's consent.

Files are personal data: their bytes are stored only encrypted (`storage.py`), under opaque
names; a document's URL carries its opaque `uid`, never a name. Documents stay in this app:
Altafid has no document endpoint for contacts (docs/altafid-contract.md).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import Tenant
from onboarding.cases.models import Case
from onboarding.core.crypto import EncryptedJSONField


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Identity document")
    ADDRESS = "address", _("Proof of address")
    WEALTH = "wealth", _("Source of wealth or funds")
    CONSENT = "consent", _("Signed consent form")
    OTHER = "other", _("Other")


class Document(models.Model):
    """One file on a case. Removing or replacing one keeps its row (`removed_at`,
    `replaced_by`) until the next save of the documents makes it final, so it can be undone;
    the officer's difference view reads them too."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    # The RM's words for it ("Cédula, front", or the title an "other" needs): may name the
    # client, so encrypted.
    title = EncryptedJSONField(_("title"), default="", blank=True)
    # The file as stored (re-encoded): its storage name, type, size and SHA-256 of its bytes.
    stored_name = models.CharField(max_length=100)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # What was uploaded, read from its content (jpeg, png, heif, pdf).
    received_type = models.CharField(max_length=10)
    pages = models.PositiveSmallIntegerField(default=1)
    # One preview image per page (JPEG; PNG in the first version), stored encrypted like the
    # file; the view reads which from the bytes.
    previews = models.JSONField(default=list, blank=True)
    # A smaller JPEG of each page (`files.THUMBNAIL_WIDTH`); none for a document kept before
    # they were made, whose previews stand in.
    thumbnails = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces"
    )

    class Meta:
        ordering = ("case_id", "kind", "uploaded_at", "id")
        indexes = [models.Index(fields=["case", "removed_at"], name="documents_case_live")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uid}"


class ConsentMethod(models.TextChoices):
    SIGNED_FORM = "signed_form", _("Signed form, attached")
    IN_PERSON = "in_person", _("Given in person, recorded by the relationship manager")


class Consent(models.Model):
    """The client's consent to the processing of their data: which privacy notice, when and
    how. The latest one of a case is the one in force."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    notice_version = models.CharField(_("privacy notice version"), max_length=40)
    given_at = models.DateField(_("given on"))
    method = models.CharField(_("how"), max_length=20, choices=ConsentMethod.choices)
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("case_id", "-recorded_at", "-id")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.notice_version}"
