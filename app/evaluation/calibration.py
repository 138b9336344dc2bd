"""How well an extractor's `confidence` predicts that a record is right.

A predicted record is right when it pairs with a required gold record (as `scoring` pairs them)
and has the gold's status and date (at the gold's precision; a gold record without a date
accepts any). A record paired with an optional gold record is neither right nor wrong. Records
without a confidence (the LLM's) are left out.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from app.evaluation.gold import GoldArticle
from app.evaluation.scoring import date_matches, pair_records
from app.extraction.contract import ExtractedRecord

BANDS = (0.0, 0.5, 0.7, 0.85, 1.0001)


@dataclass(frozen=True)
class Band:
    """Records whose confidence lies in [low, high), and how many of them are right."""

    low: float
    high: float
    records: int
    right: int
    mean_confidence: float | None

    @property
    def accuracy(self) -> float | None:
        """Share of the band's records that are right."""
        return self.right / self.records if self.records else None


@dataclass(frozen=True)
class Calibration:
    """The reliability table, the Brier score, and the mean confidence of right and wrong."""

    bands: list[Band]
    records: int
    brier: float
    right_mean: float | None
    wrong_mean: float | None


def judged(
    gold_articles: Sequence[GoldArticle], predictions: Mapping[str, Sequence[ExtractedRecord]]
) -> list[tuple[float, bool]]:
    """(confidence, right) for every predicted record that carries a confidence."""
    out: list[tuple[float, bool]] = []
    for article in gold_articles:
        predicted = list(predictions.get(article.id, []))
        pairs = dict(pair_records(predicted, article.records))
        for i, record in enumerate(predicted):
            if record.confidence is None:
                continue
            j = pairs.get(i)
            if j is not None and article.records[j].optional:
                continue
            right = j is not None and _fields_right(record, article.records[j].record)
            out.append((record.confidence, right))
    return out


def calibrate(
    gold_articles: Sequence[GoldArticle], predictions: Mapping[str, Sequence[ExtractedRecord]]
) -> Calibration | None:
    """The calibration of the predictions' confidences; None when none carries one."""
    scored = judged(gold_articles, predictions)
    if not scored:
        return None
    bands = [_band(scored, low, high) for low, high in pairwise(BANDS)]
    brier = sum((c - float(r)) ** 2 for c, r in scored) / len(scored)
    return Calibration(bands, len(scored), brier, _mean(scored, True), _mean(scored, False))


def _fields_right(prediction: ExtractedRecord, truth: ExtractedRecord) -> bool:
    dated = truth.date is None or date_matches(truth.date, prediction.date)
    return prediction.status == truth.status and dated


def _band(scored: list[tuple[float, bool]], low: float, high: float) -> Band:
    inside = [(c, r) for c, r in scored if low <= c < high]
    mean = sum(c for c, _ in inside) / len(inside) if inside else None
    return Band(low, min(high, 1.0), len(inside), sum(r for _, r in inside), mean)


def _mean(scored: list[tuple[float, bool]], right: bool) -> float | None:
    values = [c for c, r in scored if r is right]
    return sum(values) / len(values) if values else None
