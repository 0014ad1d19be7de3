from django.apps import AppConfig


class KycConfig(AppConfig):
    name = "onboarding.kyc"
    verbose_name = "KYC review"

    def ready(self) -> None:
        from onboarding.kyc import receivers  # noqa: F401 - connects the signal receivers
