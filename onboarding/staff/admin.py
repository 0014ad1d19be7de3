from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from onboarding.accounts.models import User
from onboarding.accounts.services import user_role
from onboarding.staff.models import AccessRequest
from onboarding.staff.services import staff_access_decline, staff_access_grant


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    """Tenant admins' invitations of people who have an account already: a deployment
    administrator grants (adds the tenant to the person's staff profile) or declines."""

    list_display = ("requested_at", "tenant", "member_email", "role", "role_now", "granted")
    list_filter = ("granted", "tenant")
    list_select_related = ("tenant", "member", "requested_by")
    search_fields = ("member__email",)
    readonly_fields = (
        "tenant",
        "member",
        "member_email",
        "role",
        "role_now",
        "altafid_staff_uuid",
        "requested_by",
        "requested_at",
        "granted",
        "decided_by",
        "decided_at",
    )
    actions = ("grant", "decline")

    @admin.display(description=_("e-mail address"))
    def member_email(self, request: AccessRequest) -> str:
        return request.member.email

    @admin.display(description=_("role now"))
    def role_now(self, request: AccessRequest) -> str | None:
        role = user_role(user=request.member)
        return str(role.label) if role else None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Add the person to the tenant"))
    def grant(self, request: HttpRequest, queryset: QuerySet[AccessRequest]) -> None:
        self._decide(request, queryset, staff_access_grant)

    @admin.action(description=_("Decline"))
    def decline(self, request: HttpRequest, queryset: QuerySet[AccessRequest]) -> None:
        self._decide(request, queryset, staff_access_decline)

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[AccessRequest],
        decide: Callable[..., bool],
    ) -> None:
        assert isinstance(request.user, User)
        done = sum(decide(access_request=item, by=request.user) for item in queryset)
        self.message_user(
            request,
            ngettext("%(count)s request decided.", "%(count)s requests decided.", done)
            % {"count": done},
            messages.SUCCESS,
        )
