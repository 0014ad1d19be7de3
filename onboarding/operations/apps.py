from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "onboarding.operations"

    def ready(self) -> None:
        from onboarding.operations import receivers  # noqa: F401 - connects the signal receivers
