from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onboarding.accounts.context_processors import request_staff
from onboarding.accounts.roles import Role
from onboarding.home.reads import admin_home, officer_home, rm_home


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The first page after login: what needs this person now, by role."""
    user, role, tenant = request_staff(request)
    context: dict[str, object] = {"role": role, "tenant": tenant}
    if tenant is not None and user is not None:
        if role == Role.RELATIONSHIP_MANAGER:
            context["rm"] = rm_home(user=user, tenant=tenant)
        elif role == Role.COMPLIANCE_OFFICER:
            context["officer"] = officer_home(user=user, tenant=tenant)
        elif role == Role.ADMIN:
            context["admin"] = admin_home(tenant=tenant)
    return render(request, "home/home.html", context)
