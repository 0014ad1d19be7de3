"""What can go wrong on purpose: an error rate over a set of fault kinds, added latency,
and faults scripted for the next matching requests."""

from dataclasses import asdict, dataclass, field
from typing import Any

FAULT_KINDS = (
    "rate_limit",  # 429 with Retry-After and a standard body
    "unavailable",  # 503 with a standard body
    "unavailable_empty",  # 503, empty body
    "bad_gateway",  # 502, empty body
    "server_error",  # 500 with a standard body
    "drop_before",  # connection closed before the request is carried out
    "drop_after_write",  # request carried out, connection closed before the answer
)


@dataclass(frozen=True)
class Faults:
    error_rate: float = 0.0
    latency_ms: int = 0
    kinds: tuple[str, ...] = FAULT_KINDS
    retry_after_seconds: int = 1
    seed: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError("error_rate must be between 0 and 1")
        if self.latency_ms < 0 or self.retry_after_seconds < 0:
            raise ValueError("latency_ms and retry_after_seconds must not be negative")
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"kinds must be some of {', '.join(FAULT_KINDS)}")

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "kinds": list(self.kinds)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Faults":
        known = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        if "kinds" in known:
            known["kinds"] = tuple(known["kinds"])
        return cls(**known)


@dataclass
class ScriptedFault:
    """`kind` for the next `times` requests that match `method` and `path_prefix`."""

    kind: str
    method: str | None = None
    path_prefix: str | None = None
    times: int = 1
    used: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method) and (
            self.path_prefix is None or path.startswith(self.path_prefix)
        )
