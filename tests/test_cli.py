"""The `parley` commands that work without a server: extract, eval, db."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from tests.support.corpus import CORPUS

runner = CliRunner()

ARTICLE = (
    "Somalia and Ethiopia made notable progress on the second round of talks hosted by Turkey "
    "in Ankara on Tuesday, Turkish Foreign Minister Hakan Fidan said."
)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No LLM endpoint, a throw-away database, settings read afresh."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PARLEY_EXTRACTOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARLEY_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_extract_prints_grounded_normalised_records_without_a_server(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")

    result = runner.invoke(cli, ["extract", str(article), "--published-at", "2024-08-14"])

    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    assert output["extractor"] == "rules"
    (record,) = output["records"]
    assert record["countries"] == ["ETH", "SOM"]
    assert record["mediators"][0]["country"] == "TUR"
    assert record["date"] == "2024-08-13"
    (evidence,) = record["evidence"]
    assert ARTICLE[evidence["start"] : evidence["end"]] == evidence["quote"]


def test_extract_with_the_llm_and_no_endpoint_says_how_to_configure_one(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")

    result = runner.invoke(cli, ["extract", str(article)], env={"PARLEY_EXTRACTOR": "llm"})

    assert result.exit_code == 2
    assert "OPENAI_API_KEY" in result.output


def test_eval_prints_an_f1_table_and_writes_comparable_json(tmp_path: Path) -> None:
    report = tmp_path / "report.json"

    result = runner.invoke(cli, ["eval", "--gold", str(CORPUS), "--json", str(report)])

    assert result.exit_code == 0, result.output
    overall = next(line for line in result.output.splitlines() if line.startswith("overall"))
    assert "F1" in overall
    saved = json.loads(report.read_text())
    assert saved["extractor"] == "rules"
    assert len(saved["gold_sha256"]) == 64


def test_eval_refuses_a_missing_gold_file() -> None:
    result = runner.invoke(cli, ["eval", "--gold", "missing.jsonl"])

    assert result.exit_code == 2
    assert "not a file" in result.output


def test_db_upgrade_creates_the_schema_and_current_reports_it() -> None:
    upgraded = runner.invoke(cli, ["db", "upgrade"])
    current = runner.invoke(cli, ["db", "current"])

    assert upgraded.exit_code == 0, upgraded.output
    assert "revision" in upgraded.stdout
    revision = upgraded.stdout.split()[-1]
    assert current.stdout.split() == ["database:", revision, "code:", revision]


def test_extract_of_a_missing_file_is_one_line_and_exit_2() -> None:
    result = runner.invoke(cli, ["extract", "missing.txt"])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert [line for line in result.stderr.splitlines() if "missing.txt" in line] == [
        "error: [Errno 2] No such file or directory: 'missing.txt'"
    ]
