"""The rules extractor's confidence: its arithmetic, and that it tells right records from wrong
on the tuning gold sets (the dev corpus and the events tuning set)."""

from pathlib import Path

import pytest

from app.evaluation.calibration import calibrate
from app.evaluation.gold import load_gold
from app.extraction.contract import ArticleInput
from app.extraction.grounding import locate
from app.extraction.rules import RulesExtractor
from app.extraction.rules.confidence import ConfidenceTable, confidence, load_confidence
from app.records.normalise import normalise_record
from tests.support.corpus import CORPUS

WIRE = Path(__file__).parents[2] / "fixtures" / "events" / "wire.jsonl"
EXTRACTOR = RulesExtractor()
TABLE = ConfidenceTable(0.9, 0.05, 0.97, 0.04, 2, {"quoted": 0.1, "undated": 0.25})


def test_each_signal_takes_its_penalty_and_mentions_add_a_little() -> None:
    assert confidence(set(), 1, TABLE) == 0.9
    assert confidence({"quoted", "undated"}, 1, TABLE) == 0.55
    assert confidence({"quoted"}, 5, TABLE) == 0.88  # corroboration counts twice at most


def test_confidence_stays_within_floor_and_ceiling() -> None:
    assert confidence(set(), 3, TABLE) == 0.97
    many = ConfidenceTable(0.9, 0.05, 0.97, 0.04, 2, {"a": 0.5, "b": 0.5})
    assert confidence({"a", "b"}, 1, many) == 0.05


def test_an_unknown_signal_is_an_error() -> None:
    with pytest.raises(ValueError, match="no confidence penalty"):
        confidence({"mystery"}, 1, TABLE)


def test_every_rules_record_carries_a_confidence() -> None:
    text = "Kenya and Uganda signed a peace agreement on Monday. Talks may follow."
    (record,) = EXTRACTOR.extract_sync(ArticleInput(text=text)).records
    assert record.confidence is not None
    assert 0 < record.confidence <= 1


def test_a_denied_claim_is_less_sure_than_a_plain_report() -> None:
    plain = "Russia said on Monday that 40 Ukrainian marines had surrendered near Krynky."
    denied = plain[:-1] + ", a claim Kyiv denied."
    (sure,) = EXTRACTOR.extract_sync(ArticleInput(text=plain)).records
    (doubted,) = EXTRACTOR.extract_sync(ArticleInput(text=denied)).records
    assert sure.confidence is not None
    assert doubted.confidence is not None
    assert doubted.confidence < sure.confidence - 0.3


def test_weights_cover_every_signal_the_extractor_raises() -> None:
    assert set(load_confidence().penalties) >= {
        "default_status", "proposed", "denied", "hedged", "quoted", "weak", "demonym_parties",
        "borrowed_parties", "no_parties", "inferred_date", "statement_date", "undated",
        "background",
    }  # fmt: skip


def test_right_records_score_higher_than_wrong_ones_on_the_tuning_sets() -> None:
    articles = load_gold(CORPUS) + load_gold(WIRE)
    predictions = {}
    for article in articles:
        records = EXTRACTOR.extract_sync(article.article).records
        text = article.article.text
        predictions[article.id] = [
            normalise_record(r) for r in records if any(locate(q, text) for q in r.evidence)
        ]
    calibration = calibrate(articles, predictions)
    assert calibration is not None
    assert calibration.right_mean is not None
    assert calibration.wrong_mean is not None
    assert calibration.right_mean > calibration.wrong_mean + 0.05
    top, bottom = calibration.bands[-1], calibration.bands[1]
    assert top.accuracy is not None
    assert bottom.accuracy is not None
    assert top.accuracy > bottom.accuracy
