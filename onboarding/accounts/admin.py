from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import StaffProfile, Tenant, User


def _deployment_superusers_only(request: HttpRequest) -> bool:
    # Django admin is not scoped by tenant: a tenant's admins manage their staff in the app.
    user = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = _deployment_superusers_only  # type: ignore[method-assign]


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    filter_horizontal = ("tenants",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = (StaffProfileInline,)
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active")
    list_filter = ("groups", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name")}),
        (_("Role and access"), {"fields": ("is_active", "groups", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "altafid_uuid", "created_at")
    search_fields = ("name", "altafid_uuid")
