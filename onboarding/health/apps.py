from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "onboarding.health"

    def ready(self) -> None:
        from onboarding.health import receivers  # noqa: F401 - connects the signal receivers
