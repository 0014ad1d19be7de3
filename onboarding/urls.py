from django.contrib import admin
from django.urls import include, path

from onboarding.health import views as health_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("onboarding.home.urls")),
    path("", include("onboarding.accounts.urls")),
    path("health/", include("onboarding.health.urls")),
    path("screening/", include("onboarding.screening.urls")),
    path("healthz", health_views.healthz, name="healthz"),
    path("cases/", include("onboarding.documents.case_urls")),
    path("cases/", include("onboarding.cases.urls")),
    path("submissions/", include("onboarding.submissions.urls")),
    path("staff/", include("onboarding.staff.urls")),
    path("kyc/", include("onboarding.kyc.urls")),
    path("documents/", include("onboarding.documents.urls")),
    path("notices/", include("onboarding.notices.urls")),
    path("operations/", include("onboarding.operations.urls")),
]
