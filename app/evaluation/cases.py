"""A table of hand-written cases (YAML) read as gold articles, so `parley eval` scores it too.

Each case is a small row: `id`, `text`, optional `title` and `published` (a date, or null), and
`records`: what a careful coder extracts, in short form. A record names its `kind` and `status`;
`parties` and `mediators` are ISO3 codes or canonical organisation names, `location` an ISO3
code, `qualifier` the count's qualifier (exact when a count has none). Fields left out are empty.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.errors import InvalidInput
from app.evaluation.gold import GoldArticle, GoldRecord
from app.extraction.contract import Actor, ArticleInput, ExtractedRecord, Place, ThirdParty
from app.normalize.organisations import organisation_name

# Checked only when a case lists them (the scorer ignores them).
EXTRA_FIELDS = ("attributed_to", "format")
_PUBLISHED_AT = time(9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    """One row: the article, its expected records, the extra fields a row checks, and xfail."""

    article: GoldArticle
    extras: list[dict[str, Any]] = field(default_factory=list)
    xfail: str | None = None


def load_cases(path: Path) -> list[Case]:
    """Every case of a YAML case table; a malformed row raises `InvalidInput` naming it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    default = data.get("published")
    return [
        _case(row, default, f"{path}:{row.get('id', index)}")
        for index, row in enumerate(data["cases"])
    ]


def load_case_articles(path: Path) -> list[GoldArticle]:
    """The cases of a YAML table as gold articles."""
    return [case.article for case in load_cases(path)]


def _case(row: dict[str, Any], default: object, where: str) -> Case:
    try:
        text = str(row["text"])
        published = row.get("published", default)
        records = [_record(raw, text) for raw in row.get("records") or []]
        article = ArticleInput(text=text, title=row.get("title"), published_at=_datetime(published))
        extras = [{k: raw[k] for k in EXTRA_FIELDS if k in raw} for raw in row.get("records") or []]
        return Case(GoldArticle(str(row["id"]), article, records), extras, row.get("xfail"))
    except (KeyError, TypeError, ValueError, ValidationError) as error:
        raise InvalidInput(f"{where}: not a case ({error})") from error


def _record(raw: dict[str, Any], text: str) -> GoldRecord:
    count = raw.get("count")
    qualifier = raw.get("qualifier", "exact" if count is not None else None)
    location = raw.get("location")
    record = ExtractedRecord(
        kind=raw["kind"],
        status=raw["status"],
        parties=[Actor(name=code, kind="state", country=code) for code in raw.get("parties", [])],
        mediators=[_third_party(str(name)) for name in raw.get("mediators", [])],
        location=Place(name=location, country=location) if location else None,
        date=_text(raw.get("date")),
        end_date=_text(raw.get("end_date")),
        round=raw.get("round"),
        format=raw.get("format"),
        count=count,
        count_qualifier=qualifier,
        attributed_to=raw.get("attributed_to"),
        background=bool(raw.get("background", False)),
        evidence=[text],
    )
    return GoldRecord(record, bool(raw.get("optional", False)))


def _third_party(name: str) -> ThirdParty:
    if organisation_name(name) is not None:
        return ThirdParty(name=name, kind="organization", country=None, role="mediator")
    return ThirdParty(name=name, kind="state", country=name, role="mediator")


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _datetime(value: object) -> datetime | None:
    if value is None:
        return None
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return datetime.combine(day, _PUBLISHED_AT)
