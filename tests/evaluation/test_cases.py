"""YAML case tables read as gold articles: short rows become full records, `parley eval` scores
them like a gold JSONL file."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.errors import InvalidInput
from app.evaluation.cases import load_case_articles, load_cases
from app.evaluation.command import run_eval
from app.extraction.rules import RulesExtractor

TABLE = """
published: "2024-03-14"
cases:
  - id: signed
    text: "Kenya and Uganda signed a peace agreement in Kampala on Monday."
    records:
      - {kind: peace_agreement, status: agreed, parties: [KEN, UGA], location: UGA,
         date: "2024-03-11"}
  - id: nothing
    published: null
    text: "The central bank raised rates."
    records: []
  - id: swap
    xfail: not yet
    text: "Ukraine and Russia exchanged 95 prisoners each, mediated by the UAE and the UN."
    records:
      - {kind: prisoner_exchange, status: completed, parties: [UKR, RUS], count: 95,
         mediators: [ARE, United Nations], attributed_to: Kyiv}
"""


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "cases.yaml"
    path.write_text(TABLE, encoding="utf-8")
    return path


def test_rows_become_gold_articles_with_full_records(table: Path) -> None:
    signed, nothing, swap = load_case_articles(table)

    assert signed.article.published_at == datetime(2024, 3, 14, 9, tzinfo=UTC)
    assert nothing.article.published_at is None
    assert nothing.records == []
    record = swap.records[0].record
    assert (record.count, record.count_qualifier) == (95, "exact")
    assert [(m.country, m.kind) for m in record.mediators] == [
        ("ARE", "state"),
        (None, "organization"),
    ]
    assert record.evidence == [swap.article.text]


def test_rows_keep_their_extra_fields_and_xfail_reason(table: Path) -> None:
    swap = load_cases(table)[2]

    assert swap.extras == [{"attributed_to": "Kyiv"}]
    assert swap.xfail == "not yet"


def test_eval_scores_a_case_table(table: Path) -> None:
    report = run_eval(table, RulesExtractor()).extraction

    assert report.overall.gold == 2
    assert report.overall.matched >= 1


def test_a_malformed_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("cases:\n  - id: broken\n    records: []\n", encoding="utf-8")

    with pytest.raises(InvalidInput, match=r"bad\.yaml:broken"):
        load_cases(path)


def test_the_projects_case_table_has_at_least_150_rows() -> None:
    table = Path(__file__).parents[1] / "fixtures" / "rules" / "cases.yaml"
    assert len(load_cases(table)) >= 150
