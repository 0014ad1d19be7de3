from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onboarding.accounts.decorators import tenant_may
from onboarding.accounts.models import Tenant, User
from onboarding.accounts.permissions import Can
from onboarding.accounts.roles import Role
from onboarding.accounts.services import request_ip, user_role
from onboarding.audit.services import staff_events
from onboarding.cases.services import cases_open_of
from onboarding.core.http import HtmxHttpRequest
from onboarding.outbox.models import MailKind
from onboarding.outbox.services import outgoing_mail_state
from onboarding.staff.forms import (
    STATES,
    StaffDeactivateForm,
    StaffInviteForm,
    StaffListQuery,
    StaffRoleForm,
)
from onboarding.staff.presenters import staff_timeline
from onboarding.staff.services import (
    StaffChangeRefused,
    staff_deactivate,
    staff_invite,
    staff_invite_resend,
    staff_manageable,
    staff_of_tenant,
    staff_reactivate,
    staff_role_change,
)

PAGE_SIZE = 25


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _member(tenant: Tenant, pk: int) -> User:
    return get_object_or_404(staff_of_tenant(tenant=tenant), pk=pk)


def _site_url(request: HtmxHttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_GET
@tenant_may(Can.MANAGE_STAFF)
def staff_list(request: HtmxHttpRequest, tenant: Tenant) -> HttpResponse:
    filters = StaffListQuery.read(request.GET)
    query, role, state = filters["q"], filters["role"], filters["state"]
    members = staff_of_tenant(tenant=tenant, query=query, role=role, state=state)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [(member, user_role(user=member)) for member in page.object_list],
        "query": query,
        "role": role,
        "state": state,
        "roles": Role.choices,
        "states": STATES,
        "timeline": staff_timeline(events=staff_events(tenant=tenant)[:10]),
    }
    template = "staff/staff_list.html#results" if request.htmx else "staff/staff_list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@tenant_may(Can.MANAGE_STAFF)
def staff_invite_view(request: HtmxHttpRequest, tenant: Tenant) -> HttpResponse:
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff_invite(
                tenant=tenant,
                by=_user(request),
                site_url=_site_url(request),
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                role=Role(form.cleaned_data["role"]),
                altafid_staff_uuid=form.cleaned_data["altafid_staff_uuid"],
                client_ip=request_ip(request),
            )
        except StaffChangeRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            # The same answer whether the address is new or has an account elsewhere (then a
            # deployment administrator decides): who works for other tenants stays theirs.
            messages.success(
                request,
                _(
                    "Invitation for %(email)s requested. The person appears in your staff "
                    "list once their access is ready."
                )
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("staff:list")
    status = 422 if form.errors else 200
    return render(request, "staff/invite.html", {"form": form, "tenant": tenant}, status=status)


@require_GET
@tenant_may(Can.MANAGE_STAFF)
def staff_detail(request: HtmxHttpRequest, tenant: Tenant, pk: int) -> HttpResponse:
    member = _member(tenant, pk)
    return render(request, "staff/detail.html", _detail_context(request, tenant, member))


def _detail_context(
    request: HtmxHttpRequest,
    tenant: Tenant,
    member: User,
    *,
    role_form: StaffRoleForm | None = None,
    deactivate_form: StaffDeactivateForm | None = None,
) -> dict[str, Any]:
    role = user_role(user=member)
    profile = getattr(member, "staff_profile", None)
    return {
        "tenant": tenant,
        "member": member,
        "role": role,
        "manageable": staff_manageable(by=_user(request), member=member),
        "open_cases": cases_open_of(owner=member, tenant=tenant).count(),
        "role_form": role_form
        or StaffRoleForm(
            initial={
                "role": role.value if role else "",
                "altafid_staff_uuid": profile.altafid_staff_uuid if profile else "",
            }
        ),
        "deactivate_form": deactivate_form or StaffDeactivateForm(tenant=tenant, member=member),
        "timeline": staff_timeline(events=staff_events(tenant=tenant).filter(staff=member)[:20]),
        "invitation_mail": (
            outgoing_mail_state(recipient_id=member.pk, kind=MailKind.INVITATION)
            if member.last_login is None
            else None
        ),
    }


@require_POST
@tenant_may(Can.MANAGE_STAFF)
def staff_role_view(request: HtmxHttpRequest, tenant: Tenant, pk: int) -> HttpResponse:
    member = _member(tenant, pk)
    form = StaffRoleForm(request.POST)
    if form.is_valid():
        try:
            changed = staff_role_change(
                tenant=tenant,
                by=_user(request),
                member=member,
                role=Role(form.cleaned_data["role"]),
                altafid_staff_uuid=form.cleaned_data["altafid_staff_uuid"],
            )
        except StaffChangeRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            if changed:
                messages.success(request, _("The role of %(name)s was saved.") % {"name": member})
            return redirect("staff:detail", pk=member.pk)
    context = _detail_context(request, tenant, member, role_form=form)
    return render(request, "staff/detail.html", context, status=422)


@require_POST
@tenant_may(Can.MANAGE_STAFF)
def staff_access_view(request: HtmxHttpRequest, tenant: Tenant, pk: int) -> HttpResponse:
    member = _member(tenant, pk)
    by = _user(request)
    if request.POST.get("action") == "reactivate":
        try:
            staff_reactivate(tenant=tenant, by=by, member=member)
        except StaffChangeRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("%(name)s can log in again.") % {"name": member})
        return redirect("staff:detail", pk=member.pk)
    form = StaffDeactivateForm(request.POST, tenant=tenant, member=member)
    if form.is_valid():
        try:
            handed = staff_deactivate(
                tenant=tenant, by=by, member=member, hand_over_to=form.cleaned_data["hand_over_to"]
            )
        except StaffChangeRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(
                request,
                ngettext(
                    "%(name)s no longer has access; %(count)s onboarding was handed over.",
                    "%(name)s no longer has access; %(count)s onboardings were handed over.",
                    handed,
                )
                % {"name": member, "count": handed},
            )
            return redirect("staff:detail", pk=member.pk)
    context = _detail_context(request, tenant, member, deactivate_form=form)
    return render(request, "staff/detail.html", context, status=422)


@require_POST
@tenant_may(Can.MANAGE_STAFF)
def staff_resend_view(request: HtmxHttpRequest, tenant: Tenant, pk: int) -> HttpResponse:
    member = _member(tenant, pk)
    try:
        staff_invite_resend(
            tenant=tenant,
            by=_user(request),
            member=member,
            site_url=_site_url(request),
            client_ip=request_ip(request),
        )
    except StaffChangeRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, _("A new invitation is on its way to %(email)s.") % {"email": member.email}
        )
    return redirect("staff:detail", pk=member.pk)
