"""`parley ingest`: a text file, a feed file, an article URL or a feed URL, into the database."""

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import make_engine
from app.models import Article
from tests.test_feeds_support import FEEDS, localised, requested, serve_feed, story
from tests.test_fetching_support import LoopbackServer, send

TEXT = (
    "The government and the rebel coalition agreed on Tuesday to a 30-day ceasefire starting "
    "Friday, after four days of talks mediated by Qatar, the mediators said in a statement."
)


@pytest.fixture
def site() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        server.routes["/peace/feed"] = serve_feed(localised("wordpress_rss2.xml", server))
        server.routes["/story"] = lambda h: send(h, body=story("prisoner releases"))
        server.routes["/2025/05/30/second-round-peace-talks/"] = lambda h: send(
            h, body=story("a second round")
        )
        yield server


@pytest.fixture
def environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, site: LoopbackServer
) -> Iterator[str]:
    """PARLEY_* variables for the command: the test database, rules extractor, loopback site."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PARLEY_DATABASE_URL", database_url)
    if database_url.startswith("sqlite"):
        monkeypatch.setenv("PARLEY_DBOS_DATABASE_URL", f"sqlite:///{tmp_path / 'dbos.db'}")
        # One extraction at a time on SQLite: see site_settings in test_feeds_api.
        monkeypatch.setenv("PARLEY_QUEUE_CONCURRENCY", "1")
    monkeypatch.setenv("PARLEY_EXTRACTOR", "rules")
    monkeypatch.setenv("PARLEY_QUEUE_POLL_SECONDS", "0.02")
    monkeypatch.setenv("PARLEY_FETCH_ALLOW_HOSTS", f"127.0.0.1:{site.port}")
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def parley(*args: str) -> Any:
    """Run `parley ARGS` as the shell would, in this process."""
    # DBOS logs to the stderr of the first run; CliRunner closes that stream after each run.
    for handler in list(logging.getLogger("dbos").handlers):
        if getattr(getattr(handler, "stream", None), "closed", False):
            logging.getLogger("dbos").removeHandler(handler)
    return CliRunner().invoke(cli, list(args))


def stored(database_url: str) -> list[Article]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(Article).order_by(Article.id)).all())
    finally:
        engine.dispose()


def test_a_text_file_becomes_a_queued_article(environment: str, tmp_path: Path) -> None:
    path = tmp_path / "doha-talks.txt"
    path.write_text(TEXT, encoding="utf-8")

    result = parley("ingest", str(path))

    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert (output["kind"], output["status"]) == ("article", "queued")
    (article,) = stored(environment)
    assert (article.id, article.text, article.title) == (output["id"], TEXT, "doha-talks")
    assert article.status == "queued"


def test_the_same_text_file_twice_is_one_article(environment: str, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    first = json.loads(parley("ingest", str(path)).output)

    again = json.loads(parley("ingest", str(path)).output)

    assert (again["status"], again["id"]) == ("duplicate", first["id"])
    assert len(stored(environment)) == 1


def test_wait_processes_the_article_here_and_prints_the_records_count(
    environment: str, tmp_path: Path
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")

    result = parley("ingest", str(path), "--wait", "--timeout", "60")

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["records"] >= 1
    (article,) = stored(environment)
    assert article.status == "done"


def test_a_feed_file_is_read_as_a_feed(
    environment: str, site: LoopbackServer, tmp_path: Path
) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(localised("wordpress_rss2.xml", site))

    result = parley("ingest", str(path))

    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert (output["kind"], output["new"], output["duplicate"]) == ("feed", 3, 0)
    assert [a.source for a in stored(environment)] == ["Peace Archives - The Defense Post"] * 3


def test_a_feed_url_is_fetched_and_read_as_a_feed(environment: str, site: LoopbackServer) -> None:
    result = parley("ingest", site.url("/peace/feed"))

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["new"] == 3


def test_an_article_url_is_fetched_once_and_stored_with_its_text(
    environment: str, site: LoopbackServer
) -> None:
    result = parley("ingest", site.url("/story?utm_source=x"))

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] == "queued"
    (article,) = stored(environment)
    assert "prisoner releases" in (article.text or "")
    assert article.canonical_url == site.url("/story")
    assert requested(site, "/story") == 1


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing.txt", "No such file"),
        ("http://10.0.0.1/feed", "not publicly routable"),
        (str(FEEDS / "entity_bomb.xml"), "unsafe XML"),
    ],
)
def test_expected_failures_print_one_line_and_exit_1(
    environment: str, target: str, message: str
) -> None:
    result = parley("ingest", target)

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
