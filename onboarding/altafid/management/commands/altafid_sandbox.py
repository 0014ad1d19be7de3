import logging
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.altafid.sandbox import defaults
from onboarding.altafid.sandbox.faults import FAULT_KINDS, Faults
from onboarding.altafid.sandbox.server import Sandbox


class Command(BaseCommand):
    help = "Serves the Altafid sandbox (an in-memory stand-in for the Altafid API)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=defaults.DEFAULT_PORT)
        parser.add_argument(
            "--error-rate", type=float, default=0.0, help="Share of requests that fail, 0 to 1."
        )
        parser.add_argument("--latency-ms", type=int, default=0, help="Added to every request.")
        parser.add_argument(
            "--fault-kinds",
            default=",".join(FAULT_KINDS),
            help=f"Comma-separated, among: {', '.join(FAULT_KINDS)}.",
        )
        parser.add_argument("--retry-after", type=int, default=1, help="Seconds, sent with 429.")
        parser.add_argument("--seed", type=int, default=None, help="Makes faults repeatable.")
        parser.add_argument("--verbose", action="store_true", help="Log every request line.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            faults = Faults(
                error_rate=options["error_rate"],
                latency_ms=options["latency_ms"],
                kinds=tuple(kind.strip() for kind in options["fault_kinds"].split(",") if kind),
                retry_after_seconds=options["retry_after"],
                seed=options["seed"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["verbose"]:
            logging.getLogger("onboarding.altafid.sandbox").setLevel(logging.INFO)
        try:
            sandbox = Sandbox(
                options["host"], options["port"], faults=faults, verbose=options["verbose"]
            )
        except OSError as error:
            raise CommandError(
                f"Cannot listen on {options['host']}:{options['port']}: {error}"
            ) from None
        self.stdout.write(f"Altafid sandbox on {sandbox.base_url} (faults: {faults.to_dict()})")
        # docker stop sends SIGTERM: stop as on Ctrl-C, exiting 0 rather than killed by it.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            sandbox.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            sandbox.stop()
