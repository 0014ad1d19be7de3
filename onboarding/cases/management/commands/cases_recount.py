"""Counts again what blocks each open case's sections, as the completeness rules say now.

Run it once after a release that adds or changes a rule: the stepper and the lists read the
counts stored at each save, while review and Submit judge the sections as they are."""

from typing import Any

from django.core.management.base import BaseCommand

from onboarding.cases.lifecycle import CLOSED
from onboarding.cases.models import Case
from onboarding.cases.services import case_counts_refresh


class Command(BaseCommand):
    help = "Counts again what blocks each open case's sections (after the rules changed)."

    def handle(self, *args: Any, **options: Any) -> None:
        cases = (
            Case.objects.exclude(status__in=CLOSED)
            .filter(erased_at__isnull=True)
            .select_related("tenant")
            .order_by("pk")
        )
        seen = changed = 0
        for case in cases.iterator(chunk_size=200):
            seen += 1
            changed += case_counts_refresh(case=case)
        self.stdout.write(f"{seen} open cases counted again, {changed} changed")
