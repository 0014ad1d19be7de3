from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onboarding.lookups.services import lookups_refresh_all


class Command(BaseCommand):
    help = "Fetches every tenant's lookup lists from Altafid into the shared cache."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = lookups_refresh_all()
        failures = 0
        for tenant_uuid, lists in outcome.items():
            failed = sorted(name for name, ok in lists.items() if not ok)
            failures += len(failed)
            summary = f"failed: {', '.join(failed)}" if failed else "all fresh"
            self.stdout.write(f"{tenant_uuid}: {len(lists)} lists, {summary}")
        if failures:
            raise CommandError(f"{failures} list(s) could not be refreshed")
