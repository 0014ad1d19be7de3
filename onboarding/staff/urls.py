from django.urls import path

from onboarding.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("invite/", views.staff_invite_view, name="invite"),
    path("<int:pk>/", views.staff_detail, name="detail"),
    path("<int:pk>/role/", views.staff_role_view, name="role"),
    path("<int:pk>/access/", views.staff_access_view, name="access"),
    path("<int:pk>/invitation/", views.staff_resend_view, name="resend"),
]
