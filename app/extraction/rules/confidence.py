"""How sure the rules extractor is of a record: a base, less a penalty per reason to doubt it.

The reasons ("signals") are gathered while reading and assembling: no status cue, a proposal, a
denied or hedged claim, a quotation, sides borrowed from elsewhere or named by demonyms, a date
inferred or taken from a statement. The weights are data (data/confidence.yaml), calibrated on
the case table.
"""

from dataclasses import dataclass
from functools import lru_cache

from app.extraction.rules.lexicon import load_data


@dataclass(frozen=True)
class ConfidenceTable:
    """The weights of data/confidence.yaml."""

    base: float
    floor: float
    ceiling: float
    corroborated: float
    max_corroboration: int
    penalties: dict[str, float]


@lru_cache
def load_confidence() -> ConfidenceTable:
    """Read data/confidence.yaml (once per process)."""
    data = load_data("confidence.yaml")
    return ConfidenceTable(
        base=float(data["base"]),
        floor=float(data["floor"]),
        ceiling=float(data["ceiling"]),
        corroborated=float(data["corroborated"]),
        max_corroboration=int(data["max_corroboration"]),
        penalties={str(k): float(v) for k, v in data["penalties"].items()},
    )


def confidence(signals: set[str], mentions: int, table: ConfidenceTable) -> float:
    """The confidence of a record with these signals, reported by `mentions` sentences."""
    unknown = signals - table.penalties.keys()
    if unknown:
        raise ValueError(f"no confidence penalty for {sorted(unknown)}")
    score = table.base - sum(table.penalties[name] for name in signals)
    score += table.corroborated * min(mentions - 1, table.max_corroboration)
    return round(min(max(score, table.floor), table.ceiling), 2)
