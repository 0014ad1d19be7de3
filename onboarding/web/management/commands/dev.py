import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Starts everything for local use: migrations and demo data, the Altafid sandbox, "
        "a Celery worker and beat, and the web server. Ctrl-C stops it all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        signal.signal(signal.SIGTERM, lambda *_: self._stop_all(0))
        try:
            if settings.ALTAFID_USES_SANDBOX:
                self._start(
                    "sandbox",
                    "manage.py",
                    "altafid_sandbox",
                    "--port",
                    str(settings.ALTAFID_SANDBOX_PORT),
                )
                self._wait_for_sandbox()
            call_command("seed_demo")
            if self._altafid_reachable():
                call_command("refresh_lookups", verbosity=0)
            pool = ["--pool", "threads", "--concurrency", "4"]
            self._start(
                "worker", "-m", "celery", "-A", "onboarding", "worker", *pool, "--loglevel", "INFO"
            )
            self._start(
                "beat",
                "-m",
                "celery",
                "-A",
                "onboarding",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            )
            self._start("web", "manage.py", "runserver", f"{host}:{port}", "--noreload")
            ready = f"Altafid Onboarding runs at http://{host}:{port}/ (Ctrl-C stops everything)"
            self.stdout.write(self.style.SUCCESS(f"\n{ready}\n"))
            self._watch()
        except KeyboardInterrupt:
            self._stop_all(0)

    def _start(self, name: str, *arguments: str) -> None:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, *arguments], cwd=settings.BASE_DIR, start_new_session=True
        )
        self.processes.append((name, process))

    def _wait_for_sandbox(self) -> None:
        for _attempt in range(100):
            try:
                httpx.get(f"{settings.ALTAFID_BASE_URL}/__sandbox__/health", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        self._stop_all(None)
        raise CommandError("The Altafid sandbox did not start")

    def _altafid_reachable(self) -> bool:
        try:
            httpx.get(str(settings.ALTAFID_BASE_URL), timeout=2)
        except httpx.TransportError:
            self.stderr.write("Altafid is not reachable; the lists will load on first use.")
            return False
        return True

    def _watch(self) -> None:
        while True:
            for name, process in self.processes:
                if process.poll() is not None:
                    self.stderr.write(f"{name} stopped (exit {process.returncode}); stopping all.")
                    self._stop_all(1)
            time.sleep(0.5)

    def _stop_all(self, exit_code: int | None) -> None:
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if exit_code is not None:
            sys.exit(exit_code)
