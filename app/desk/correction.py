"""The correction form: every field of a record, with the allowed values of the vocabulary,
read back into the `changes` the review API takes (only the fields the person changed)."""

from typing import Any

from app.desk.session import Form
from app.extraction.vocabulary import (
    ActorKind,
    CountQualifier,
    RecordKind,
    RecordStatus,
    TalksFormat,
    ThirdPartyRole,
)
from app.normalize.country_tables import country_tables

MAX_ROWS = 50
BLANK_ROWS = 2
CHOICES: dict[str, list[str]] = {
    "kind": [m.value for m in RecordKind],
    "status": [m.value for m in RecordStatus],
    "actor_kind": [m.value for m in ActorKind],
    "role": [m.value for m in ThirdPartyRole],
    "format": [m.value for m in TalksFormat],
    "count_qualifier": [m.value for m in CountQualifier],
}
TEXT_FIELDS = ("summary", "date", "end_date", "programme", "attributed_to")
NUMBER_FIELDS = ("round", "count")
CHOICE_FIELDS = ("kind", "status", "format", "count_qualifier")


def _text(value: str) -> str | None:
    return value or None


def _number(value: str) -> int | str | None:
    """An integer when it reads as one; otherwise the text, for validation to name it."""
    if not value:
        return None
    return int(value) if value.isdecimal() and len(value) < 10 else value


def _actors(form: Form, prefix: str, roles: bool) -> list[dict[str, Any]]:
    rows = []
    for i in range(MAX_ROWS):
        name = form.get(f"{prefix}-{i}-name")
        if f"{prefix}-{i}-name" not in form.fields:
            break
        if not name:
            continue  # a blank row, or a row the person emptied: removed
        row: dict[str, Any] = {
            "name": name,
            "kind": form.get(f"{prefix}-{i}-kind"),
            "country": _text(form.get(f"{prefix}-{i}-country")),
        }
        if roles:
            row["role"] = form.get(f"{prefix}-{i}-role")
        rows.append(row)
    return rows


def read_values(form: Form) -> dict[str, Any]:
    """Every field of the record as the form states it."""
    values: dict[str, Any] = {f: _text(form.get(f)) for f in TEXT_FIELDS + CHOICE_FIELDS}
    values["summary"] = form.get("summary")
    values.update({f: _number(form.get(f)) for f in NUMBER_FIELDS})
    values["parties"] = _actors(form, "party", roles=False)
    values["mediators"] = _actors(form, "mediator", roles=True)
    place = form.get("location-name")
    values["location"] = (
        {"name": place, "country": _text(form.get("location-country"))} if place else None
    )
    values["topics"] = [t.strip() for t in form.get("topics").split(";") if t.strip()]
    values["background"] = form.get("background") == "on"
    values["evidence"] = [q.strip() for q in form.get("evidence").splitlines() if q.strip()]
    return values


def _comparable(value: Any) -> Any:
    """A stored value as the form would state it (enums as their text)."""
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    return str(value) if isinstance(value, str) else value


def changes(form: Form, current: dict[str, Any]) -> dict[str, Any]:
    """The fields whose value in the form differs from the record's."""
    stated = read_values(form)
    return {k: v for k, v in stated.items() if v != _comparable(current.get(k))}


def country_choices() -> list[tuple[str, str]]:
    """(ISO3, name) of every country, by name: suggestions for the country fields."""
    return sorted(country_tables().display.items(), key=lambda item: item[1])
