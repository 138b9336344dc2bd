"""`parley ingest --bulk`: an NDJSON file or stdin accepted in this process, line by line, with
the route's acceptance; `--wait` extracts every accepted article to the end."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import parley
from tests.support.databases import stored_articles
from tests.support.samples import TEXT


def upload(*texts: str) -> bytes:
    """NDJSON lines, one article each; a text starting with `!` is sent as it is."""
    lines = (t[1:] if t.startswith("!") else json.dumps({"text": t}) for t in texts)
    return "".join(line + "\n" for line in lines).encode()


def report(stdout: str) -> dict[str, Any]:
    """The command's JSON report (the progress bar goes to stderr)."""
    loaded: dict[str, Any] = json.loads(stdout)
    return loaded


def test_a_file_is_accepted_and_the_report_counts_each_kind_of_line(
    environment: str, tmp_path: Path
) -> None:
    path = tmp_path / "archive.ndjson"
    path.write_bytes(upload(f"One. {TEXT}", f"Two. {TEXT}", "!{oops", f"One. {TEXT}"))

    result = parley("ingest", "--bulk", str(path))

    assert result.exit_code == 0, result.output
    assert report(result.stdout) == {"kind": "bulk", "created": 2, "duplicate": 1, "invalid": 1}
    assert [a.status for a in stored_articles(environment)] == ["queued", "queued"]


def test_a_dash_reads_the_upload_from_stdin(environment: str) -> None:
    result = parley("ingest", "--bulk", "-", stdin=upload(f"One. {TEXT}", f"Two. {TEXT}"))

    assert result.exit_code == 0, result.output
    assert report(result.stdout)["created"] == 2
    assert len(stored_articles(environment)) == 2


def test_wait_extracts_every_accepted_article_to_done(environment: str, tmp_path: Path) -> None:
    path = tmp_path / "archive.ndjson"
    path.write_bytes(upload(*(f"Round {n}. {TEXT}" for n in range(6))))

    result = parley("ingest", "--bulk", str(path), "--wait", "--timeout", "120")

    assert result.exit_code == 0, result.output
    output = report(result.stdout)
    assert (output["created"], output["done"], output["failed"]) == (6, 6, 0)
    assert output["records"] >= 6
    assert {a.status for a in stored_articles(environment)} == {"done"}


def test_a_full_queue_is_waited_out_while_wait_works_it_here(
    environment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARLEY_MAX_QUEUED_ARTICLES", "20")
    monkeypatch.setenv("PARLEY_BULK_BATCH_LINES", "10")
    path = tmp_path / "archive.ndjson"
    path.write_bytes(upload(*(f"Round {n}. {TEXT}" for n in range(100))))

    result = parley("ingest", "--bulk", str(path), "--wait", "--timeout", "120")

    assert result.exit_code == 0, result.output
    output = report(result.stdout)
    assert "stopped" not in output
    assert (output["created"], output["done"], output["failed"]) == (100, 100, 0)
    assert [a.status for a in stored_articles(environment)] == ["done"] * 100


def test_a_full_queue_nobody_drains_stops_with_the_line_to_resume_from(
    environment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARLEY_MAX_QUEUED_ARTICLES", "20")
    monkeypatch.setenv("PARLEY_BULK_BATCH_LINES", "10")
    path = tmp_path / "archive.ndjson"
    path.write_bytes(upload(*(f"Round {n}. {TEXT}" for n in range(50))))

    result = parley("ingest", "--bulk", str(path), "--timeout", "1")

    assert result.exit_code == 0, result.output
    output = report(result.stdout)
    assert output["created"] == 20
    assert output["stopped"]["code"] == "unavailable"
    assert output["stopped"]["details"]["next_line"] == 21
    assert len(stored_articles(environment)) == 20


def test_a_missing_file_is_one_line_and_exit_2(environment: str, tmp_path: Path) -> None:
    result = parley("ingest", "--bulk", str(tmp_path / "nowhere.ndjson"))

    assert result.exit_code == 2
    assert "nowhere.ndjson" in result.output
