#!/usr/bin/env python
import os
import sys

# Commands of the embedded development stack: they run in debug mode unless told otherwise.
# Everything else runs with production defaults (DEBUG off), and fails closed.
DEVELOPMENT_COMMANDS = frozenset({"dev", "altafid_sandbox"})


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
    if sys.argv[1:2] and sys.argv[1] in DEVELOPMENT_COMMANDS:
        os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
