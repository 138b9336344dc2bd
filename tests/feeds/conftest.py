"""Fixtures of the feed command tests: a loopback news site and the environment `parley` reads."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import get_settings
from tests.support.databases import BACKGROUND_QUEUE_POLL_SECONDS, QUEUE_POLL_SECONDS
from tests.support.loopback import LoopbackServer, send
from tests.support.news_site import localised, serve_feed, story


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
        # One extraction at a time on SQLite: see news_site.site_settings.
        monkeypatch.setenv("PARLEY_QUEUE_CONCURRENCY", "1")
        monkeypatch.setenv("PARLEY_FETCH_CONCURRENCY", "1")
    monkeypatch.setenv("PARLEY_EXTRACTOR", "rules")
    monkeypatch.setenv("PARLEY_QUEUE_POLL_SECONDS", str(QUEUE_POLL_SECONDS))
    monkeypatch.setenv("PARLEY_BACKGROUND_QUEUE_POLL_SECONDS", str(BACKGROUND_QUEUE_POLL_SECONDS))
    monkeypatch.setenv("PARLEY_FETCH_ALLOW_HOSTS", f"127.0.0.1:{site.port}")
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()
