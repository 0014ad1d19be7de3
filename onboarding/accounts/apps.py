from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "onboarding.accounts"
    verbose_name = "Staff and tenants"
