"""Shared fixtures: a real database (SQLite per test, or PostgreSQL per worker when
PARLEY_TEST_DATABASE_URL points at a server), real migrations, the real app over ASGI.

Only the network is faked: the LLM endpoint at http://llm.test/v1 is answered by respx.
Helpers tests import live in `tests/support/`; no test module imports another.
"""

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import settings as hypothesis_settings

from app.config import Settings
from tests.support import launcher
from tests.support.app import serve
from tests.support.databases import (
    BACKGROUND_QUEUE_POLL_SECONDS,
    QUEUE_POLL_SECONDS,
    fresh_database,
    fresh_dbos_database,
    postgres_url,
    worker_database,
)
from tests.support.llm import LLM_BASE_URL

# Properties are checked for what they assert, never for how long an example takes: a CI
# machine under load turned Hypothesis's 200 ms deadline into failures.
hypothesis_settings.register_profile("parley", deadline=None)
hypothesis_settings.load_profile("parley")

# Fixtures through which a test reaches PostgreSQL when the suite runs against it.
_POSTGRES_FIXTURES = frozenset({"postgres_ready", "postgres_url"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow modules first, so that the workers do not wait on one of them at the end; against
    PostgreSQL, only the tests that use a database: the others (parsers, extractors,
    SQLite-only process tests) would run exactly as they did on SQLite."""
    # A stable sort keeps each module's order; with --no-loadscope-reorder xdist hands the
    # modules out in this order (its default puts the modules with most tests first).
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    if postgres_url() is None:
        return
    kept = [i for i in items if _POSTGRES_FIXTURES & set(getattr(i, "fixturenames", ()))]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def pytest_collection_finish(session: pytest.Session) -> None:
    """The forkserver imports the whole app when it starts (`tests.support.launcher`). Set
    after collection: importing `app.parsing.isolation` sets its own, smaller preload."""
    launcher.preload()


@pytest.fixture(scope="session")
def postgres_ready() -> Iterator[str | None]:
    """With PostgreSQL: this worker's own database, created and migrated once, then dropped.

    Named after the run and the worker, so two runs on one server never drop each other's.
    """
    server = postgres_url()
    if server is None:
        yield None
        return
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:8]
    with worker_database(server, f"{run}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}") as url:
        yield url


@pytest.fixture
def database_url(tmp_path: Path, postgres_ready: str | None) -> str:
    """A migrated, empty database for one test."""
    return fresh_database(tmp_path, postgres_ready)


@pytest.fixture
def make_settings(database_url: str, tmp_path: Path) -> Callable[..., Settings]:
    """Settings for a test app: the test database, the fake LLM, fast queue and retries."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "dbos_database_url": fresh_dbos_database(tmp_path, database_url),
            "openai_base_url": LLM_BASE_URL,
            "openai_api_key": "sk-test",
            "llm_sdk_retries": 0,
            "job_retry_base_seconds": 0.01,
            "queue_poll_seconds": QUEUE_POLL_SECONDS,
            "background_queue_poll_seconds": BACKGROUND_QUEUE_POLL_SECONDS,
            "queue_rate_limit": 100_000,
            # Tests stop the app at once; draining is proven by the process tests.
            "shutdown_grace_seconds": 0,
            "relevance_gate": False,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return build


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    """Default test settings (LLM extractor against the fake endpoint)."""
    return make_settings()


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app, lifespan and all, over ASGI."""
    async with serve(settings) as c:
        yield c
