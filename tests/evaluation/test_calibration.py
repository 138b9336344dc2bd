"""Calibration of a confidence: right and wrong records per band, Brier score."""

from datetime import UTC, datetime

from app.evaluation.calibration import calibrate, judged
from app.evaluation.gold import GoldArticle, GoldRecord
from app.extraction.contract import Actor, ArticleInput, ExtractedRecord

ARTICLE = ArticleInput(text="t", published_at=datetime(2024, 3, 14, tzinfo=UTC))
KEN = Actor(name="Kenya", kind="state", country="KEN")
UGA = Actor(name="Uganda", kind="state", country="UGA")


def _record(kind: str, status: str, date: str | None, confidence: float | None) -> ExtractedRecord:
    return ExtractedRecord.model_validate(
        {"kind": kind, "status": status, "parties": [KEN, UGA], "date": date,
         "evidence": ["t"], "confidence": confidence}
    )  # fmt: skip


GOLD = [
    GoldArticle(
        "a",
        ARTICLE,
        [
            GoldRecord(_record("peace_agreement", "agreed", "2024-03", None)),
            GoldRecord(_record("negotiation", "ongoing", None, None), optional=True),
        ],
    )
]


def test_a_record_is_right_with_the_golds_status_and_date() -> None:
    predicted = {
        "a": [
            _record("peace_agreement", "agreed", "2024-03-11", 0.9),
            _record("negotiation", "ongoing", None, 0.5),  # pairs with an optional record
            _record("ceasefire", "agreed", None, 0.4),  # pairs with nothing
        ]
    }
    assert judged(GOLD, predicted) == [(0.9, True), (0.4, False)]


def test_bands_brier_and_means() -> None:
    predicted = {"a": [_record("peace_agreement", "agreed", "2024-04", 0.8)]}
    calibration = calibrate(GOLD, predicted)
    assert calibration is not None
    assert calibration.records == 1
    assert calibration.wrong_mean == 0.8
    assert calibration.right_mean is None
    assert round(calibration.brier, 2) == 0.64
    band = next(b for b in calibration.bands if b.records)
    assert (band.low, band.right, band.accuracy) == (0.7, 0, 0.0)


def test_records_without_confidence_are_not_calibrated() -> None:
    assert calibrate(GOLD, {"a": [_record("peace_agreement", "agreed", None, None)]}) is None
