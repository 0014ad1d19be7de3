from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from onboarding.accounts.demo import demo_data_seed, demo_password
from onboarding.accounts.services import user_role


class Command(BaseCommand):
    help = "Creates the tenant of this deployment and three demo staff users (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        password = demo_password()
        users = demo_data_seed(password=password)
        # A password someone chose is theirs to know; only the built-in default is printed.
        shown = "(the value of DEMO_PASSWORD)" if settings.DEMO_PASSWORD else password
        self.stdout.write("Demo logins:")
        for user in users:
            role = user_role(user=user)
            self.stdout.write(f"  {user.email:<26} {role.label if role else '-':<24} {shown}")
