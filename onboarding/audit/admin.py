from django.contrib import admin
from django.http import HttpRequest

from onboarding.audit.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: events are appended by the services, never edited or deleted."""

    list_display = ("created_at", "kind", "case", "staff", "actor")
    list_filter = ("kind", "tenant")
    list_select_related = ("case", "staff", "actor")
    readonly_fields = ("tenant", "case", "staff", "actor", "kind", "data", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
