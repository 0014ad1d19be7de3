from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.accounts.demo import demo_data_seed, demo_password
from onboarding.accounts.services import user_role


class Command(BaseCommand):
    help = (
        "Creates the tenant of this deployment and three demo staff users (idempotent). "
        "With DEBUG off it refuses, unless told --i-know-this-is-production with DEMO_PASSWORD."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--i-know-this-is-production",
            action="store_true",
            dest="production",
            help="seed demo users in a production deployment (needs DEMO_PASSWORD)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            if not options["production"]:
                raise CommandError(
                    "DEBUG is off: demo users in production need --i-know-this-is-production"
                )
            if not settings.DEMO_PASSWORD:
                raise CommandError("DEMO_PASSWORD must be set: the README's password is public")
        password = demo_password()
        users = demo_data_seed(password=password)
        # A password someone chose is theirs to know; only the built-in default is printed.
        shown = "(the value of DEMO_PASSWORD)" if settings.DEMO_PASSWORD else password
        self.stdout.write("Demo logins:")
        for user in users:
            role = user_role(user=user)
            self.stdout.write(f"  {user.email:<26} {role.label if role else '-':<24} {shown}")
