"""Sanctions and PEP lists, one version at a time per dataset, and the name keys that find
candidates without reading every entity (docs/architecture.md, "Screening lists")."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class VersionState(models.TextChoices):
    LOADING = "loading", _("Loading")
    READY = "ready", _("In use")
    FAILED = "failed", _("Failed")
    REPLACED = "replaced", _("Replaced")


class ListVersion(models.Model):
    dataset = models.CharField(max_length=100)
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=VersionState, default=VersionState.LOADING)
    is_current = models.BooleanField(default=False)
    entity_count = models.PositiveIntegerField(default=0)
    lines_read = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    source_name = models.CharField(max_length=255, blank=True)
    # The version in use when this one was loaded: its entities are marked `changed` against
    # that version's, so a switch screens clients again against the changes alone.
    base = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="screening_version_number"),
            # Two current versions of a list would screen clients twice.
            models.UniqueConstraint(
                fields=["dataset"], condition=Q(is_current=True), name="screening_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.number} ({self.state})"


class ListEntity(models.Model):
    """A listed person as the list version had it. `ordinal` numbers the entities within
    their version, so the name keys can point at them without waiting for database ids."""

    # The (version, ordinal) constraint indexes the version first.
    version = models.ForeignKey(
        ListVersion, on_delete=models.CASCADE, related_name="entities", db_index=False
    )
    ordinal = models.PositiveIntegerField()
    entity_id = models.CharField(max_length=255)
    schema = models.CharField(max_length=64)
    caption = models.CharField(max_length=500)
    names = models.JSONField(default=list)
    birth_dates = models.JSONField(default=list)
    countries = models.JSONField(default=list)
    topics = models.JSONField(default=list)
    source_url = models.CharField(max_length=2000, blank=True)
    # FollowTheMoney's checksum of the entity's properties: a decision on a hit can tell
    # whether the listed data changed since.
    digest = models.CharField(max_length=64)
    # New, or with other data than in the version this one replaced: every entity of a list's
    # first version.
    changed = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "ordinal"], name="screening_entity_ordinal"),
        ]
        indexes = [
            models.Index(fields=["version", "entity_id"], name="screening_entity_id"),
            models.Index(
                fields=["version", "ordinal"],
                condition=Q(changed=True),
                name="screening_entity_changed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity_id} ({self.caption})"


class NameKey(models.Model):
    """One phonetic key of one token of a listed name (`matching.name_keys`)."""

    version = models.ForeignKey(
        ListVersion, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=32)
    ordinal = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["version", "key", "ordinal"], name="screening_key_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.ordinal}"


class KeyCount(models.Model):
    """How many entities of a version have a key: a rare key says more than a common one."""

    version = models.ForeignKey(
        ListVersion, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=32)
    entities = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="screening_key_count"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.entities}"
