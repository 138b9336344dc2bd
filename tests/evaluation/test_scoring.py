"""The gold scorer on hand-made cases, following the corpus README's rules."""

from typing import Any

import pytest

from app.evaluation.gold import GoldArticle, GoldRecord
from app.evaluation.scoring import date_matches, pair_records, prf, score
from app.extraction.contract import ArticleInput, ExtractedRecord


def _record(
    kind: str = "ceasefire", countries: tuple[str, ...] = ("SDN",), **fields: Any
) -> ExtractedRecord:
    parties = [{"name": c, "kind": "state", "country": c} for c in countries]
    data = {"kind": kind, "status": "agreed", "parties": parties, "evidence": ["q"], **fields}
    return ExtractedRecord.model_validate(data)


def _article(
    *records: ExtractedRecord, optional: tuple[ExtractedRecord, ...] = (), id: str = "a"
) -> GoldArticle:
    gold = [GoldRecord(r) for r in records] + [GoldRecord(r, optional=True) for r in optional]
    return GoldArticle(id, ArticleInput(text="q"), gold)


def test_perfect_predictions_score_one_everywhere() -> None:
    gold = _record(date="2024-08", round=2, count=None, location={"name": "Doha", "country": "QAT"})
    report = score([_article(gold)], {"a": [gold]})
    assert (report.overall.precision, report.overall.recall, report.overall.f1) == (1, 1, 1)
    assert all(field.accuracy == 1.0 for field in report.fields.values())


def test_no_predictions_against_gold_scores_zero() -> None:
    report = score([_article(_record())], {})
    assert (report.overall.precision, report.overall.recall, report.overall.f1) == (0, 0, 0)
    assert report.fields["status"].scored == 0


def test_nothing_to_find_and_nothing_found_is_perfect() -> None:
    report = score([_article()], {"a": []})
    assert report.overall.f1 == 1.0


def test_partial_predictions_count_misses_and_extras() -> None:
    gold = [_record("ceasefire"), _record("negotiation", ("SOM", "ETH"))]
    predicted = [_record("ceasefire"), _record("surrender", ("RUS",))]
    report = score([_article(*gold)], {"a": predicted})
    assert (report.overall.matched, report.overall.predicted, report.overall.gold) == (1, 2, 2)
    assert report.overall.f1 == pytest.approx(0.5)
    assert report.per_kind["negotiation"].recall == 0.0
    assert report.per_kind["surrender"].precision == 0.0


def test_optional_only_gold_matched_earns_and_costs_nothing() -> None:
    optional = _record(background=True)
    report = score([_article(optional=(optional,))], {"a": [optional]})
    assert (report.overall.matched, report.overall.predicted, report.overall.gold) == (0, 0, 0)
    assert report.overall.f1 == 1.0


def test_unmatched_prediction_beside_optional_gold_costs_precision() -> None:
    report = score([_article(optional=(_record(),))], {"a": [_record("surrender")]})
    assert report.overall.predicted == 1
    assert report.overall.precision == 0.0


def test_pairing_needs_same_kind_and_overlapping_countries() -> None:
    gold = [GoldRecord(_record("ceasefire", ("SDN",)))]
    assert pair_records([_record("negotiation", ("SDN",))], gold) == []
    assert pair_records([_record("ceasefire", ("ETH",))], gold) == []
    assert pair_records([_record("ceasefire", ())], gold) == []
    assert pair_records([_record("ceasefire", ())], [GoldRecord(_record(countries=()))]) == [(0, 0)]


def test_pairing_prefers_larger_overlap_then_same_status() -> None:
    gold = [GoldRecord(_record(countries=("SOM",))), GoldRecord(_record(countries=("SOM", "ETH")))]
    predicted = [_record(countries=("SOM", "ETH"))]
    assert pair_records(predicted, gold) == [(0, 1)]
    gold = [GoldRecord(_record(status="ongoing")), GoldRecord(_record(status="agreed"))]
    assert pair_records([_record(status="agreed")], gold) == [(0, 1)]


@pytest.mark.parametrize(
    ("gold", "predicted", "expected"),
    [("2024-08", "2024-08-14", True), ("2024-08-14", "2024-08", False), ("2024", "2023-12", False)],
)
def test_date_compared_at_gold_precision(gold: str, predicted: str, expected: bool) -> None:
    assert date_matches(gold, predicted) is expected


def test_gold_null_date_is_not_scored_but_other_fields_are() -> None:
    report = score([_article(_record())], {"a": [_record(date="2024-01", count=5)]})
    assert report.fields["date"].scored == 0
    assert (report.fields["count"].correct, report.fields["count"].scored) == (0, 1)
    assert report.fields["location.country"].accuracy == 1.0


def test_mediator_f1_over_identities_of_paired_records() -> None:
    un = {"name": "United Nations", "kind": "organization", "country": None, "role": "observer"}
    usa = {"name": "United States", "kind": "state", "country": "USA", "role": "mediator"}
    sau = {"name": "Saudi Arabia", "kind": "state", "country": "SAU", "role": "host"}
    gold = _record(mediators=[un, usa])
    predicted = _record(mediators=[{**usa, "role": "host"}, sau])
    report = score([_article(gold)], {"a": [predicted]})
    assert (report.mediators.matched, report.mediators.predicted, report.mediators.gold) == (
        1,
        2,
        2,
    )


def test_prf_harmonic_mean() -> None:
    assert prf(1, 2, 4).f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)
