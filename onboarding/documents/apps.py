from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "onboarding.documents"
    default_auto_field = "django.db.models.BigAutoField"
