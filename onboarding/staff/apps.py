from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "onboarding.staff"

    def ready(self) -> None:
        from onboarding.staff import receivers  # noqa: F401 - connects the signal receivers
