"""The thresholds and weights of consolidation, read once from `tuning.toml` (data, not code)."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.extraction.vocabulary import RecordKind, RecordStatus


@dataclass(frozen=True)
class EventTuning:
    """When two reports are one development."""

    threshold: float
    window_days: dict[RecordKind, int]
    precise_tolerance_days: int
    count_tolerance: float
    # Reports of one day a vague report's day-dated matches need, each, to count as a
    # development of their own when they conflict (app.events.ambiguity).
    agreeing_reports: int
    weights: dict[str, float]
    phases: dict[RecordStatus, str]
    # A kind's own phases where they differ ("agreed" to exchange prisoners is a promise).
    kind_phases: dict[RecordKind, dict[RecordStatus, str]]

    def phase(self, kind: RecordKind, status: RecordStatus) -> str:
        """The phase of a development of `kind` in `status`."""
        return self.kind_phases.get(kind, {}).get(status) or self.phases[status]

    @property
    def widest_window(self) -> int:
        """The largest window of any kind (how far back a rebuild must look)."""
        return max(self.window_days.values())


@dataclass(frozen=True)
class ProcessTuning:
    """When two events belong to one process."""

    window_days: int
    co_reported_days: int
    sides_threshold: float


@dataclass(frozen=True)
class Tuning:
    """Both levels of consolidation."""

    event: EventTuning
    process: ProcessTuning


TUNING_FILE = Path(__file__).with_name("tuning.toml")


@cache
def tuning(path: Path = TUNING_FILE) -> Tuning:
    """The tuning in `path` (the package's own by default), validated."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    event, process = data["event"], data["process"]
    weights = {str(k): float(v) for k, v in event["weights"].items()}
    if abs(sum(weights.values()) - 1.0) > 1e-6:
        raise ValueError(f"{path}: event weights must add up to 1")
    return Tuning(
        event=EventTuning(
            threshold=float(event["threshold"]),
            window_days={RecordKind(k): int(v) for k, v in event["window_days"].items()},
            precise_tolerance_days=int(event["precise_tolerance_days"]),
            count_tolerance=float(event["count_tolerance"]),
            agreeing_reports=int(event["agreeing_reports"]),
            weights=weights,
            phases={RecordStatus(k): str(v) for k, v in event["phases"].items()},
            kind_phases={
                RecordKind(kind): {RecordStatus(k): str(v) for k, v in phases.items()}
                for kind, phases in event.get("kind_phases", {}).items()
            },
        ),
        process=ProcessTuning(
            window_days=int(process["window_days"]),
            co_reported_days=int(process["co_reported_days"]),
            sides_threshold=float(process["sides_threshold"]),
        ),
    )
