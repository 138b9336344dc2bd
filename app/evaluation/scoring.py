"""Score predicted records against gold records, as shared/corpus/README.md defines it.

Per article, predictions and gold records pair greedily, best pair first: same kind and
overlapping party countries (two empty sets overlap); larger overlap first, then the same status,
then the same date (at the gold's precision). Ties beyond that go to required gold records, then
to reading order. Optional gold records earn and cost nothing.
"""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from app.evaluation.gold import GoldArticle, GoldRecord
from app.extraction.contract import RECORD_KINDS, ExtractedRecord
from app.records.normalise import mediator_identity

FIELDS = ("status", "date", "location.country", "count", "round")


@dataclass(frozen=True)
class Prf:
    """Precision, recall and F1 with the counts they come from."""

    matched: int
    predicted: int
    gold: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class FieldAccuracy:
    """How often a field of a paired required record is right (None when nothing was scored)."""

    correct: int
    scored: int
    accuracy: float | None


@dataclass(frozen=True)
class ArticleScore:
    """One article's pairs (prediction index, gold index) and counts."""

    id: str
    predicted: int
    required: int
    matched: int
    pairs: list[tuple[int, int]]


@dataclass(frozen=True)
class Report:
    """Everything `parley eval` prints and saves."""

    overall: Prf
    per_kind: dict[str, Prf]
    fields: dict[str, FieldAccuracy]
    mediators: Prf
    articles: list[ArticleScore] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        return asdict(self)


def prf(matched: int, predicted: int, gold: int) -> Prf:
    """P/R/F1; nothing predicted and nothing to find is perfect, nothing to find is full recall."""
    recall = matched / gold if gold else 1.0
    precision = matched / predicted if predicted else float(gold == 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Prf(matched, predicted, gold, precision, recall, f1)


def party_countries(record: ExtractedRecord) -> frozenset[str]:
    """ISO3 codes of a record's parties."""
    return frozenset(p.country for p in record.parties if p.country)


def date_matches(gold: str | None, predicted: str | None) -> bool:
    """Whether `predicted` agrees with `gold` at the gold's precision (gold null wants null)."""
    if gold is None:
        return predicted is None
    return predicted is not None and predicted[: len(gold)] == gold


def pair_records(
    predicted: Sequence[ExtractedRecord], gold: Sequence[GoldRecord]
) -> list[tuple[int, int]]:
    """Greedy best-first pairing of predictions with gold records (indices)."""
    candidates = []
    for i, prediction in enumerate(predicted):
        mine = party_countries(prediction)
        for j, truth in enumerate(gold):
            theirs = party_countries(truth.record)
            overlap = len(mine & theirs)
            if prediction.kind != truth.record.kind or (overlap == 0 and (mine or theirs)):
                continue
            rank = (
                -overlap,
                prediction.status != truth.record.status,
                not date_matches(truth.record.date, prediction.date),
                truth.optional,
                i,
                j,
            )
            candidates.append(rank)
    pairs: list[tuple[int, int]] = []
    used_predicted: set[int] = set()
    used_gold: set[int] = set()
    for *_, i, j in sorted(candidates):
        if i not in used_predicted and j not in used_gold:
            used_predicted.add(i)
            used_gold.add(j)
            pairs.append((i, j))
    return pairs


@dataclass
class _Tally:
    matched: dict[str, int] = field(default_factory=dict)
    predicted: dict[str, int] = field(default_factory=dict)
    gold: dict[str, int] = field(default_factory=dict)
    correct: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    scored: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    mediators: list[int] = field(default_factory=lambda: [0, 0, 0])

    def add(self, table: dict[str, int], kind: str) -> None:
        table[kind] = table.get(kind, 0) + 1


def score(
    gold_articles: Sequence[GoldArticle], predictions: Mapping[str, Sequence[ExtractedRecord]]
) -> Report:
    """Score normalised predictions (article id -> records) against the gold articles."""
    tally = _Tally()
    articles = [_score_article(a, list(predictions.get(a.id, [])), tally) for a in gold_articles]
    kinds = [k for k in RECORD_KINDS if k in tally.gold or k in tally.predicted]
    per_kind: dict[str, Prf] = {
        k: prf(tally.matched.get(k, 0), tally.predicted.get(k, 0), tally.gold.get(k, 0))
        for k in kinds
    }
    overall = prf(
        sum(tally.matched.values()), sum(tally.predicted.values()), sum(tally.gold.values())
    )
    fields = {
        name: FieldAccuracy(
            tally.correct[name],
            tally.scored[name],
            tally.correct[name] / tally.scored[name] if tally.scored[name] else None,
        )
        for name in FIELDS
    }
    return Report(overall, per_kind, fields, prf(*tally.mediators), articles)


def _score_article(
    article: GoldArticle, predicted: list[ExtractedRecord], tally: _Tally
) -> ArticleScore:
    pairs = pair_records(predicted, article.records)
    with_optional = {i for i, j in pairs if article.records[j].optional}
    required_pairs = [(i, j) for i, j in pairs if not article.records[j].optional]
    for i, prediction in enumerate(predicted):
        if i not in with_optional:
            tally.add(tally.predicted, prediction.kind)
    required = [g for g in article.records if not g.optional]
    for truth in required:
        tally.add(tally.gold, truth.record.kind)
    for i, j in required_pairs:
        tally.add(tally.matched, predicted[i].kind)
        _score_fields(predicted[i], article.records[j].record, tally)
    return ArticleScore(
        article.id, len(predicted) - len(with_optional), len(required), len(required_pairs), pairs
    )


def _score_fields(prediction: ExtractedRecord, truth: ExtractedRecord, tally: _Tally) -> None:
    checks: dict[str, bool | None] = {
        "status": prediction.status == truth.status,
        "date": None if truth.date is None else date_matches(truth.date, prediction.date),
        "location.country": _place_country(prediction) == _place_country(truth),
        "count": prediction.count == truth.count,
        "round": prediction.round == truth.round,
    }
    for name, correct in checks.items():
        if correct is not None:
            tally.scored[name] += 1
            tally.correct[name] += int(correct)
    mine, theirs = _mediators(prediction), _mediators(truth)
    tally.mediators[0] += len(mine & theirs)
    tally.mediators[1] += len(mine)
    tally.mediators[2] += len(theirs)


def _place_country(record: ExtractedRecord) -> str | None:
    return record.location.country if record.location else None


def _mediators(record: ExtractedRecord) -> set[str]:
    """Mediator identities: ISO3 for states, canonical name for organisations."""
    return {key for key in map(mediator_identity, record.mediators) if key is not None}
