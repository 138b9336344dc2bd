"""`parley eval`: run an extractor over a gold file, score it, print and save the report."""

import asyncio
import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.evaluation.calibration import Calibration, calibrate
from app.evaluation.cases import load_case_articles
from app.evaluation.consolidation import (
    ConsolidationScore,
    has_consolidation_gold,
    score_consolidation,
)
from app.evaluation.gold import GoldArticle, load_gold
from app.evaluation.scoring import Prf, Report, score
from app.extraction.contract import ExtractedRecord
from app.extraction.grounding import locate
from app.extraction.protocol import Extractor
from app.records.normalise import normalise_record


@dataclass(frozen=True)
class Evaluation:
    """Extraction scores, and consolidation scores when the gold codes events."""

    extraction: Report
    # Fed the gold records themselves (consolidation alone), and the extractor's (end to end).
    consolidation: ConsolidationScore | None = None
    end_to_end: ConsolidationScore | None = None
    # How well the records' confidence predicts they are right (rules extractor only).
    calibration: Calibration | None = None


async def evaluate(gold: Path, extractor: Extractor, json_out: Path | None = None) -> Evaluation:
    """Extract every gold article, normalise and ground the records, score, optionally save."""
    articles = load_gold_or_cases(gold)
    predictions = {article.id: await _predict(extractor, article) for article in articles}
    result = Evaluation(score(articles, predictions), calibration=calibrate(articles, predictions))
    if has_consolidation_gold(articles):
        own = {a.id: [normalise_record(g.record) for g in a.records] for a in articles}
        result = Evaluation(
            result.extraction,
            await asyncio.to_thread(score_consolidation, articles, own),
            await asyncio.to_thread(score_consolidation, articles, predictions),
            result.calibration,
        )
    if json_out is not None:
        _save(json_out, _payload(result, gold, extractor))
    return result


def load_gold_or_cases(path: Path) -> list[GoldArticle]:
    """A gold JSONL file, or a YAML table of hand-written cases (`app.evaluation.cases`)."""
    if path.suffix in (".yaml", ".yml"):
        return load_case_articles(path)
    return load_gold(path)


def _save(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")


def run_eval(gold: Path, extractor: Extractor, json_out: Path | None = None) -> Evaluation:
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


def _payload(result: Evaluation, gold: Path, extractor: Extractor) -> dict[str, Any]:
    return {
        "extractor": extractor.name,
        "model": getattr(extractor, "model", None),
        "prompt_version": getattr(extractor, "prompt_version", None),
        "gold": str(gold),
        "gold_sha256": hashlib.sha256(gold.read_bytes()).hexdigest(),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "report": result.extraction.to_dict(),
        "consolidation": asdict(result.consolidation) if result.consolidation else None,
        "consolidation_end_to_end": asdict(result.end_to_end) if result.end_to_end else None,
        "calibration": asdict(result.calibration) if result.calibration else None,
    }


def render(result: Evaluation) -> str:
    """Every table of an evaluation."""
    tables = [render_table(result.extraction)]
    if result.calibration is not None:
        tables.append(render_calibration(result.calibration))
    for label, scored in (
        ("consolidation, fed the gold records", result.consolidation),
        ("consolidation, end to end", result.end_to_end),
    ):
        if scored is not None:
            tables.append(render_consolidation(label, scored))
    return "\n\n".join(tables)


def render_calibration(calibration: Calibration) -> str:
    """Per confidence band: records, how many are right, their mean confidence; Brier score."""
    lines = [f"{'confidence':<20}{'records':>8}{'right':>7}{'acc':>7}{'mean':>7}"]
    for band in calibration.bands:
        acc = "-" if band.accuracy is None else f"{band.accuracy:.2f}"
        mean = "-" if band.mean_confidence is None else f"{band.mean_confidence:.2f}"
        label = f"{band.low:.2f}-{band.high:.2f}"
        lines.append(f"{label:<20}{band.records:>8}{band.right:>7}{acc:>7}{mean:>7}")
    right = "-" if calibration.right_mean is None else f"{calibration.right_mean:.2f}"
    wrong = "-" if calibration.wrong_mean is None else f"{calibration.wrong_mean:.2f}"
    lines.append(
        f"Brier {calibration.brier:.3f} over {calibration.records} records; mean confidence "
        f"{right} when right, {wrong} when wrong"
    )
    return "\n".join(lines)


def render_consolidation(label: str, scored: ConsolidationScore) -> str:
    """Pairwise P/R/F1, B-cubed F1 and the group ratio for events and processes."""
    lines = [
        f"{label:<37}{'P':>7}{'R':>7}{'F1':>7}{'B3 F1':>7}{'groups':>8}{'gold':>6}{'ratio':>7}"
    ]
    for name, g in (
        ("events (over records)", scored.events),
        ("processes (over events)", scored.processes),
    ):
        pairwise = g.pairwise
        lines.append(
            f"{name:<37}{pairwise.precision:>7.2f}{pairwise.recall:>7.2f}{pairwise.f1:>7.2f}"
            f"{g.bcubed_f1:>7.2f}{g.system_groups:>8}{g.gold_groups:>6}{g.ratio:>7.2f}"
        )
    return "\n".join(lines)


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
