from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.screening.loading import ListLoadFailed, screening_list_load


class Command(BaseCommand):
    help = (
        "Loads a sanctions or PEP list (a FollowTheMoney JSON-lines file such as OpenSanctions' "
        "entities.ftm.json, or a targets.simple.csv) as the new version of a dataset. The "
        "current version stays in use until the new one is complete."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dataset", required=True, help='the list\'s name, e.g. "sanctions"')

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")

        def progress(lines: int) -> None:
            self.stdout.write(f"{lines} lines read")

        try:
            version = screening_list_load(path=path, dataset=options["dataset"], progress=progress)
        except ListLoadFailed as error:
            raise CommandError(
                f"the load failed, the current version stays in use: {error}"
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{version.dataset} version {version.number}: "
                f"{version.entity_count} entities, now in use"
            )
        )
