"""`parley eval`'s engine: run an extractor over a gold file, save the JSON, render the table."""

import json
from pathlib import Path
from typing import Literal

import pytest

from app.errors import InvalidInput
from app.evaluation.command import evaluate, render_table, run_eval
from app.extraction.contract import ArticleInput, ExtractedRecord, ExtractionResult
from app.extraction.rules import RulesExtractor

TEXT = "Kenya and Uganda signed a peace agreement in Kampala on Monday."
GOLD_RECORD = {
    "kind": "peace_agreement",
    "status": "agreed",
    "parties": [
        {"name": "Kenya", "kind": "state", "country": "KEN"},
        {"name": "Uganda", "kind": "state", "country": "UGA"},
    ],
    "mediators": [],
    "location": {"name": "Kampala", "country": "UGA"},
    "date": "2024-03-11",
    "optional": False,
    "evidence": [TEXT],
}


@pytest.fixture
def gold_file(tmp_path: Path) -> Path:
    article = {
        "id": "kenya-uganda",
        "title": "Peace deal signed",
        "url": None,
        "published_at": "2024-03-14T09:00:00+00:00",
        "source": "test",
        "text": TEXT,
        "records": [GOLD_RECORD],
    }
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(article) + "\n", encoding="utf-8")
    return path


class InventingExtractor:
    """Returns a record whose quote is not in the article (the service would not store it)."""

    name: Literal["llm"] = "llm"
    model = "fake-model"
    prompt_version = "extract-v1"

    async def extract(self, article: ArticleInput) -> ExtractionResult:
        record = ExtractedRecord.model_validate(
            {**GOLD_RECORD, "evidence": ["words never written"]}
        )
        return ExtractionResult(records=[record], extractor="llm", model=self.model)


def test_rules_extractor_on_gold_file_writes_comparable_json(
    gold_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "runs" / "eval.json"
    report = run_eval(gold_file, RulesExtractor(), out).extraction
    assert report.overall.f1 == 1.0
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["extractor"] == "rules"
    assert saved["prompt_version"] == "rules-v2"
    assert saved["gold"] == str(gold_file)
    assert len(saved["gold_sha256"]) == 64
    assert saved["report"]["overall"]["f1"] == 1.0


async def test_records_without_locatable_evidence_are_dropped(gold_file: Path) -> None:
    report = (await evaluate(gold_file, InventingExtractor())).extraction
    assert report.overall.predicted == 0
    assert report.overall.recall == 0.0


def test_table_overall_line_names_f1(gold_file: Path) -> None:
    table = render_table(run_eval(gold_file, RulesExtractor()).extraction)
    overall = next(line for line in table.splitlines() if line.startswith("overall"))
    assert "F1" in overall
    assert "peace_agreement" in table


def test_malformed_gold_line_is_reported_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x"}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"bad\.jsonl:1"):
        run_eval(path, RulesExtractor())
