from django.urls import path

from onboarding.health import views

app_name = "health"
urlpatterns = [path("", views.health_page, name="status")]
