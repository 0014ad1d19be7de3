from django.apps import AppConfig


class AltafidConfig(AppConfig):
    name = "onboarding.altafid"
    verbose_name = "Altafid integration"
