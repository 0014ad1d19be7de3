from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Each role is a Django group of the same name; a user's role is the group they are in."""

    RELATIONSHIP_MANAGER = "relationship_manager", _("Relationship manager")
    COMPLIANCE_OFFICER = "compliance_officer", _("Compliance officer")
    ADMIN = "admin", _("Administrator")
