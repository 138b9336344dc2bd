"""Shared fixtures: a real database (SQLite per test, or PostgreSQL when
PARLEY_TEST_DATABASE_URL points at one), real migrations, the real app over ASGI.

Only the network is faked: the LLM endpoint at http://llm.test/v1 is answered by respx.
"""

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from app.config import Settings
from app.db import make_engine
from app.migrate import upgrade

LLM_BASE_URL = "http://llm.test/v1"
SHARED = Path(os.environ.get("PARLEY_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
# The team's gold corpus lives in ../shared; a lone clone falls back to the copy in fixtures/.
CORPUS = next(
    p
    for p in (SHARED / "corpus" / "dev.jsonl", Path(__file__).parent / "fixtures/corpus/dev.jsonl")
    if p.exists()
)
APP_TABLES = (
    "record_country, record_mediator, record, extraction, article, feed, api_key, "
    "idempotent_request"
)


def _postgres_url() -> str | None:
    url = os.environ.get("PARLEY_TEST_DATABASE_URL", "")
    return url if url.startswith("postgres") else None


@pytest.fixture(scope="session")
def postgres_ready() -> str | None:
    """With PostgreSQL: wipe it once and migrate it, so every test starts from the same schema."""
    url = _postgres_url()
    if url is None:
        return None
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("DROP SCHEMA IF EXISTS dbos CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def database_url(tmp_path: Path, postgres_ready: str | None) -> Iterator[str]:
    """A migrated, empty database for one test."""
    if postgres_ready is None:
        url = f"sqlite:///{tmp_path / 'parley.db'}"
        yield url
        return
    engine = make_engine(postgres_ready)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {APP_TABLES} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield postgres_ready


@pytest.fixture
def make_settings(database_url: str, tmp_path: Path) -> Callable[..., Settings]:
    """Settings for a test app: the test database, the fake LLM, fast queue and retries."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "dbos_database_url": f"sqlite:///{tmp_path / 'dbos.db'}"
            if database_url.startswith("sqlite")
            else None,
            "openai_base_url": LLM_BASE_URL,
            "openai_api_key": "sk-test",
            "llm_sdk_retries": 0,
            "job_retry_base_seconds": 0.01,
            "queue_poll_seconds": 0.02,
            "queue_rate_limit": 100_000,
            # Tests stop the app at once; draining is proven by the process tests.
            "shutdown_grace_seconds": 0,
            "relevance_gate": False,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return build


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    """Default test settings (LLM extractor against the fake endpoint)."""
    return make_settings()


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app, lifespan and all, over ASGI."""
    from app.main import create_app

    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as c:
            yield c


async def wait_for_article(
    client: httpx.AsyncClient, article_id: int, within: float = 30.0
) -> dict[str, Any]:
    """Poll an article until its extraction is done or failed."""
    deadline = time.monotonic() + within
    while True:
        body: dict[str, Any] = (await client.get(f"/v1/articles/{article_id}")).json()
        if body["status"] in ("done", "failed"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"article {article_id} still {body['status']} after {within}s")
        await asyncio.sleep(0.05)


def chat_completion(
    records: list[dict[str, Any]], *, mode: str = "tools", tool: str = "Extraction"
) -> dict[str, Any]:
    """A chat completion shaped like OpenAI's, answering with `records`."""
    arguments = json.dumps({"records": records})
    if mode == "tools":
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": tool, "arguments": arguments},
                }
            ],
        }
        finish = "tool_calls"
    else:
        message = {"role": "assistant", "content": arguments}
        finish = "stop"
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 150, "total_tokens": 1350},
    }


def load_corpus() -> list[dict[str, Any]]:
    """The gold dev corpus."""
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]


def llm_reply(
    records: list[dict[str, Any]] | Callable[[dict[str, Any]], list[dict[str, Any]]],
) -> Callable[[httpx.Request], httpx.Response]:
    """A respx side effect answering each chat request with `records` (or records(request)).

    It answers in the request's own mode: a call of the requested tool, or JSON content.
    """

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        tools = body.get("tools") or []
        chosen = records(body) if callable(records) else records
        if tools:
            name = tools[0]["function"]["name"]
            return httpx.Response(200, json=chat_completion(chosen, tool=name))
        return httpx.Response(200, json=chat_completion(chosen, mode="json"))

    return answer
