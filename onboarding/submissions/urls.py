from django.urls import path

from onboarding.submissions import views

app_name = "submissions"
urlpatterns = [
    path("<int:pk>/", views.submission_status, name="status"),
    path("<int:pk>/submit/", views.submission_submit, name="submit"),
    path("<int:pk>/activate/", views.submission_activate, name="activate"),
]
