import dataclasses
import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.screening.matching import Person, screen_person


class Command(BaseCommand):
    help = "Screens one person against the loaded lists and prints the hits as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", action="append", required=True, help="repeat for more names")
        parser.add_argument("--birth-date", help="YYYY-MM-DD")
        parser.add_argument("--country", action="append", default=[], help="ISO 3166 alpha-3")
        parser.add_argument("--threshold", type=float)
        parser.add_argument("--limit", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        birth_date = None
        if options["birth_date"]:
            try:
                birth_date = datetime.date.fromisoformat(options["birth_date"])
            except ValueError as error:
                raise CommandError("--birth-date must be YYYY-MM-DD") from error
        person = Person(
            names=options["name"],
            birth_date=birth_date,
            countries=[country.upper() for country in options["country"]],
        )
        hits = screen_person(person=person, threshold=options["threshold"], limit=options["limit"])
        self.stdout.write(
            json.dumps([dataclasses.asdict(hit) for hit in hits], ensure_ascii=False, indent=2)
        )
