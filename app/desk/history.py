"""History as people read it: per change, the fields that differ between before and after."""

import json
from dataclasses import dataclass
from typing import Any

from app.review.tables import Change

HIDDEN = frozenset({"review"})  # the action already says it


@dataclass(frozen=True)
class Difference:
    """One field of a change: its value before and after, as text."""

    field: str
    before: str
    after: str


def _text(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value):
        return "; ".join(_named(v) for v in value)
    if isinstance(value, dict) and "name" in value:
        return _named(value)
    return json.dumps(value, ensure_ascii=False)


def _named(value: dict[str, Any]) -> str:
    extra = [str(value[k]) for k in ("country", "role") if value.get(k)]
    return f"{value['name']} ({', '.join(extra)})" if extra else str(value["name"])


def differences(change: Change) -> list[Difference]:
    """The fields a change touched (every field of before and after, for merges and splits)."""
    names = list(dict.fromkeys([*change.before, *change.after]))
    return [
        Difference(
            name.replace("_", " "), _text(change.before.get(name)), _text(change.after.get(name))
        )
        for name in names
        if name not in HIDDEN and change.before.get(name) != change.after.get(name)
    ]
