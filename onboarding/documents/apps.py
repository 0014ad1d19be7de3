from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "onboarding.documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onboarding.documents import receivers  # noqa: F401 - connects the signal receivers
