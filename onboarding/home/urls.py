from django.urls import path

from onboarding.home import views

app_name = "home"
urlpatterns = [path("", views.home, name="index")]
