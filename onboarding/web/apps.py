from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "onboarding.web"
    verbose_name = "Web shell"
