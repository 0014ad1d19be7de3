from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "onboarding.accounts"
    verbose_name = "Staff and tenants"

    def ready(self) -> None:
        post_migrate.connect(_grant_admin_role_permissions, sender=self)


def _grant_admin_role_permissions(**kwargs: Any) -> None:
    # Permissions exist only after post_migrate, so the admin role gets them here, not in a
    # data migration.
    from django.contrib.auth.models import Group, Permission

    from onboarding.accounts.roles import Role

    group, _ = Group.objects.get_or_create(name=Role.ADMIN.value)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="accounts"))
