from django.contrib import admin
from django.http import HttpRequest

from onboarding.submissions.models import Attempt, Step


class AttemptInline(admin.TabularInline):
    """Each try, with its masked copies of what went out and what came back."""

    model = Attempt
    extra = 0
    can_delete = False
    fields = ("number", "outcome", "http_status", "started_at", "finished_at", "sent", "received")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    """Read-only: steps change through the pipeline's services, never by hand here."""

    list_display = ("case", "kind", "state", "attempts", "tries", "queued_at", "finished_at")
    list_filter = ("state", "kind", "case__tenant")
    list_select_related = ("case",)
    ordering = ("-queued_at",)
    readonly_fields = (
        "case",
        "kind",
        "position",
        "state",
        "attempts",
        "tries",
        "queued_at",
        "run_after",
        "started_at",
        "lease_expires_at",
        "finished_at",
        "last_error",
    )
    exclude = ("payload", "payload_version")
    inlines = (AttemptInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
