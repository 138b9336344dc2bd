"""`parley eval`: run an extractor over a gold file, score it, print and save the report."""

import asyncio
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.evaluation.gold import GoldArticle, load_gold
from app.evaluation.scoring import Prf, Report, score
from app.extraction.contract import ExtractedRecord
from app.extraction.grounding import locate
from app.extraction.protocol import Extractor
from app.records.normalise import normalise_record


async def evaluate(gold: Path, extractor: Extractor, json_out: Path | None = None) -> Report:
    """Extract every gold article, normalise and ground the records, score, optionally save."""
    articles = load_gold(gold)
    predictions = {article.id: await _predict(extractor, article) for article in articles}
    report = score(articles, predictions)
    if json_out is not None:
        _save(json_out, _payload(report, gold, extractor))
    return report


def _save(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")


def run_eval(gold: Path, extractor: Extractor, json_out: Path | None = None) -> Report:
    """Synchronous `evaluate` for the CLI (starts its own event loop)."""
    return asyncio.run(evaluate(gold, extractor, json_out))


async def _predict(extractor: Extractor, article: GoldArticle) -> list[ExtractedRecord]:
    """What the service would store: normalised records with at least one locatable quote."""
    result = await extractor.extract(article.article)
    text = article.article.text
    return [
        normalise_record(record)
        for record in result.records
        if any(locate(quote, text) is not None for quote in record.evidence)
    ]


def _payload(report: Report, gold: Path, extractor: Extractor) -> dict[str, Any]:
    return {
        "extractor": extractor.name,
        "model": getattr(extractor, "model", None),
        "prompt_version": getattr(extractor, "prompt_version", None),
        "gold": str(gold),
        "gold_sha256": hashlib.sha256(gold.read_bytes()).hexdigest(),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "report": report.to_dict(),
    }


def render_table(report: Report) -> str:
    """A plain-text table: P/R/F1 per kind and overall, mediator F1, field accuracies."""
    lines = [f"{'':<20}{'P':>7}{'R':>7}{'F1':>7}{'match':>7}{'pred':>6}{'gold':>6}"]
    lines += [_prf_line(kind, value) for kind, value in report.per_kind.items()]
    lines.append(_prf_line("overall (record F1)", report.overall))
    lines.append(_prf_line("mediators F1", report.mediators))
    lines.append("")
    lines.append(f"{'field accuracy':<20}{'acc':>7}{'n':>7}")
    for name, field in report.fields.items():
        value = "-" if field.accuracy is None else f"{field.accuracy:.2f}"
        lines.append(f"{name:<20}{value:>7}{field.scored:>7}")
    return "\n".join(lines)


def _prf_line(label: str, value: Prf) -> str:
    return (
        f"{label:<20}{value.precision:>7.2f}{value.recall:>7.2f}{value.f1:>7.2f}"
        f"{value.matched:>7}{value.predicted:>6}{value.gold:>6}"
    )
