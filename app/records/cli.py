"""`parley extract FILE`: the records an article yields, grounded and normalised, as JSON (no
server, no database)."""

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from app.commands import lifecycle, one_line_errors, run
from app.config import get_settings
from app.db.types import as_utc
from app.extraction.contract import ArticleInput
from app.records.prepare import prepare
from app.services import Lifecycle


async def _extract(opened: Lifecycle, article: ArticleInput) -> dict[str, Any]:
    async with opened.extracting(get_settings()) as extractor:
        result = await extractor.extract(article)
    kept, dropped = prepare(result.records, article.text)
    return {
        "extractor": result.extractor,
        "model": result.model,
        "prompt_version": result.prompt_version,
        "records": [
            {
                **p.record.model_dump(mode="json"),
                "countries": p.countries,
                "evidence": [vars(q) for q in p.evidence],
            }
            for p in kept
        ],
        "dropped": [vars(d) for d in [*result.dropped, *dropped]],
    }


def extract(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Article text file, or - for standard input.")],
    title: Annotated[str | None, typer.Option(help="Article title.")] = None,
    published_at: Annotated[
        datetime | None, typer.Option(help="Publication date, anchors relative dates.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Publication name.")] = None,
) -> None:
    """Print an article's grounded, normalised records as JSON (no server, no database)."""
    with one_line_errors():
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    article = ArticleInput(text, title, source, as_utc(published_at))
    output = run(_extract(lifecycle(ctx), article))
    typer.echo(json.dumps(output, ensure_ascii=False, indent=2))
