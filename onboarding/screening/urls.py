from django.urls import path

from onboarding.screening import views

app_name = "screening"
urlpatterns = [
    path("lists/", views.lists_page, name="lists"),
    path("lists/<int:pk>/", views.version_page, name="lists-version"),
]
