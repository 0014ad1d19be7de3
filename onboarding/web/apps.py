from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "onboarding.web"
    verbose_name = "Web shell"

    def ready(self) -> None:
        from onboarding.web.logging import path_loggers_redact

        path_loggers_redact()
