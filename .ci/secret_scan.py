"""Fails when a tracked file holds something shaped like a secret that is not on the allowlist.

The allowlist (.ci/secret-allowlist) names the documented development and test values, one a
line; anything else key-shaped (private keys, cloud and forge tokens, Fernet keys, passwords
in URLs) stops CI.
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
    "Fernet key": re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}=(?![A-Za-z0-9_=-])"),
    "password in a URL": re.compile(r"\b[a-z]+://[^/\s:@'\"]+:([^/\s@'\"$]{6,})@"),
}
SKIPPED_SUFFIXES = (".lock", ".mo", ".png", ".svg", ".ico", ".min.js")


def main() -> int:
    allowed = {
        line.strip()
        for line in (ROOT / ".ci" / "secret-allowlist").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    files = subprocess.run(
        ["git", "ls-files"],  # noqa: S607 - git from PATH, as CI runs it
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    found = []
    for name in files:
        if name.endswith(SKIPPED_SUFFIXES) or name.startswith(".ci/secret"):
            continue
        path = ROOT / name
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            for kind, pattern in PATTERNS.items():
                for match in pattern.finditer(line):
                    value = match.group(match.lastindex or 0)
                    if value not in allowed and match.group(0) not in allowed:
                        found.append(f"{name}:{number}: {kind}")
    for item in found:
        print(item)
    print(f"secret scan: {len(files)} files, {len(found)} findings")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
