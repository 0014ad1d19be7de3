from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.lookups.services import lookups_refresh_all


class Command(BaseCommand):
    help = (
        "Fetches every tenant's lookup lists from Altafid into the shared cache. A list that "
        "cannot be fetched is reported and the others go on (--strict: then fail)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--strict", action="store_true", help="fail if any list failed")

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = lookups_refresh_all()
        failures = 0
        for tenant_uuid, lists in outcome.items():
            failed = sorted(name for name, ok in lists.items() if not ok)
            failures += len(failed)
            if failed:
                self.stderr.write(
                    f"{tenant_uuid}: {len(lists)} lists, could not fetch: {', '.join(failed)}"
                )
            else:
                self.stdout.write(f"{tenant_uuid}: {len(lists)} lists, all fresh")
        if failures and options["strict"]:
            raise CommandError(f"{failures} list(s) could not be refreshed")
