"""Read a gold file in the format of the shared corpus (one article a line)."""

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.errors import InvalidInput
from app.extraction.contract import ArticleInput, ExtractedRecord


@dataclass(frozen=True)
class GoldRecord:
    """A record a human coder extracted; optional ones earn and cost nothing."""

    record: ExtractedRecord
    optional: bool = False
    # The development and the process the record reports (consolidation gold), when coded.
    event: str | None = None
    process: str | None = None


@dataclass(frozen=True)
class GoldArticle:
    """One gold article: what an extractor reads and what it should find."""

    id: str
    article: ArticleInput
    records: list[GoldRecord]


def load_gold(path: Path) -> list[GoldArticle]:
    """Parse every line of a gold JSONL file; a bad line raises `InvalidInput` naming it."""
    articles = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                articles.append(_parse(line, f"{path}:{number}"))
    return articles


def _parse(line: str, where: str) -> GoldArticle:
    try:
        data: dict[str, Any] = json.loads(line)
        records = [
            GoldRecord(
                ExtractedRecord.model_validate(raw),
                bool(raw.get("optional", False)),
                _key(raw.get("event")),
                _key(raw.get("process")),
            )
            for raw in data.get("records", [])
        ]
        article = ArticleInput(
            text=data["text"],
            title=data.get("title"),
            source=data.get("source"),
            url=data.get("url"),
            published_at=_datetime(data.get("published_at")),
        )
        return GoldArticle(id=str(data.get("id", where)), article=article, records=records)
    except (ValueError, KeyError, TypeError, ValidationError) as error:
        raise InvalidInput(f"{where}: not a gold article ({error})") from error


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _key(value: object) -> str | None:
    return None if value is None else str(value)
