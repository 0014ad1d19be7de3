from django.apps import AppConfig


class LookupsConfig(AppConfig):
    name = "onboarding.lookups"
