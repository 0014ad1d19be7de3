from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import StaffProfile, Tenant, User


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
        (_("Role and access"), {"fields": ("is_active", "groups", "is_staff")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "altafid_uuid", "created_at")
    search_fields = ("name", "altafid_uuid")
