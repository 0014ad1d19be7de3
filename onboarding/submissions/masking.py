"""Masked copies of what went to Altafid and what came back, for the step history.

What is personal and what is a classification code is decided once, in `cases/mapping.py`.
Keys it does not list are shown as "•••": a new field is masked until someone decides that it
is safe to show.
"""

from typing import Any

from onboarding.cases.mapping import PERSONAL_NAMES, SHOWN_NAMES

# Keys of Altafid's answers that say what happened, not who the client is.
ANSWER_SHOWN = frozenset({"contactUuid", "errorCode", "code", "timestamp", "path"})
SHOWN = SHOWN_NAMES | ANSWER_SHOWN
HIDDEN = "•••"


def masked(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {name: masked(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [masked(item, key) for item in value]
    if value is None:
        return None
    # Even a yes/no answer of a personal field is hidden: the PEP and director declarations.
    if key in PERSONAL_NAMES:
        return HIDDEN
    if isinstance(value, bool) or key in SHOWN:
        return value
    return HIDDEN
