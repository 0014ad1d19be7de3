from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from onboarding.accounts.models import StaffProfile, Tenant, User
from onboarding.accounts.two_factor import two_factor_reset


def _deployment_superusers_only(request: HttpRequest) -> bool:
    # Django admin is not scoped by tenant: a tenant's admins manage their staff in the app.
    # It reads everything, so it also needs the second factor given in this session.
    user = request.user
    return bool(user.is_active and user.is_superuser and user.is_verified())  # type: ignore[attr-defined]


admin.site.has_permission = _deployment_superusers_only  # type: ignore[method-assign]

# django-otp's own admin pages show each TOTP key and its QR code, and the recovery codes:
# replaced by lists that show which devices a person has, and can only remove them.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


class DeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "confirmed")
    list_filter = ("confirmed",)
    search_fields = ("user__email",)
    fields = ("user", "name", "confirmed")
    readonly_fields = fields
    actions = ("delete_selected",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        assert isinstance(request.user, User)
        two_factor_reset(user=obj.user, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        assert isinstance(request.user, User)
        for user in User.objects.filter(pk__in=queryset.values("user")):
            two_factor_reset(user=user, actor=request.user)


admin.site.register(TOTPDevice, DeviceAdmin)
admin.site.register(StaticDevice, DeviceAdmin)


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
    list_display = ("name", "altafid_uuid", "currency", "time_zone", "created_at")
    search_fields = ("name", "altafid_uuid")
    fields = (
        "name",
        "altafid_uuid",
        "currency",
        "time_zone",
        "privacy_notice_version",
        "wealth_evidence_above",
        "address_proof_required",
        "high_risk_countries",
        "risk_wealth_above",
    )
