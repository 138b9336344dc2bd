"""`Idempotency-Key` on POST: the first answer is replayed for the same key and body, another
body answers 422, and concurrent duplicates make one article."""

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, func, select

from app.articles.tables import Article
from app.auth.keys import Scope
from app.config import Settings
from app.db.engine import make_engine
from app.db.migrate import ensure_current
from app.http.errors import database_unavailable, error_response
from app.http.tables import IdempotentRequest
from tests.support.app import running, serve
from tests.support.keys import bearer, mint

ARTICLE = {"text": "Negotiators met in Doha on Monday to discuss a ceasefire in Gaza."}


def count(database_url: str, table: type[Article] | type[IdempotentRequest]) -> int:
    """Rows in `table`."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        n = session.exec(select(func.count()).select_from(table)).one()
    engine.dispose()
    return int(n)


async def test_same_key_and_body_replays_the_first_answer(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    headers = {"Idempotency-Key": "order-1"}
    async with serve(make_settings(run_worker=False)) as client:
        first = await client.post("/v1/articles", json=ARTICLE, headers=headers)
        again = await client.post("/v1/articles", json=ARTICLE, headers=headers)
        plain = await client.post("/v1/articles", json=ARTICLE)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    # Without the key the duplicate text is recognised by the route instead: 200, the article.
    assert plain.status_code == 200
    assert count(database_url, Article) == 1


async def test_same_key_with_another_body_is_refused(
    make_settings: Callable[..., Settings],
) -> None:
    headers = {"Idempotency-Key": "order-2"}
    async with serve(make_settings(run_worker=False)) as client:
        await client.post("/v1/articles", json=ARTICLE, headers=headers)
        other = await client.post("/v1/articles", json={"text": "Other news."}, headers=headers)
    assert other.status_code == 422
    assert other.json()["error"]["details"] == {"reason": "idempotency_key_reused"}


async def test_concurrent_duplicates_make_one_article_and_one_answer(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    headers = {"Idempotency-Key": "burst-1"}
    async with serve(make_settings(run_worker=False)) as client:
        answers = await asyncio.gather(
            *(client.post("/v1/articles", json=ARTICLE, headers=headers) for _ in range(10))
        )
    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 9
    assert count(database_url, Article) == 1


async def test_keys_are_scoped_to_the_api_key_that_sent_them(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    alice, bob = mint(database_url, Scope.INGEST), mint(database_url, Scope.INGEST)
    same = {"Idempotency-Key": "shared-name"}
    async with serve(make_settings(run_worker=False)) as client:
        first = await client.post("/v1/articles", json=ARTICLE, headers=same | bearer(alice))
        other = await client.post(
            "/v1/articles",
            json={"text": "Prisoner exchange completed."},
            headers=same | bearer(bob),
        )
    assert first.status_code == other.status_code == 202
    assert first.json()["id"] != other.json()["id"]


async def test_request_that_never_ran_releases_its_key(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    headers = {"Idempotency-Key": "fix-and-retry"}
    async with serve(make_settings(run_worker=False)) as client:
        broken = await client.post(
            "/v1/articles",
            content=b"{not json",
            headers=headers | {"Content-Type": "application/json"},
        )
        fixed = await client.post("/v1/articles", json=ARTICLE, headers=headers)
    assert broken.status_code == 400
    assert fixed.status_code == 202
    assert "Idempotent-Replayed" not in fixed.headers


async def test_unauthenticated_request_claims_nothing(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    async with serve(make_settings(require_auth=True, run_worker=False)) as client:
        answer = await client.post("/v1/articles", json=ARTICLE, headers={"Idempotency-Key": "a"})
    assert answer.status_code == 401
    assert count(database_url, IdempotentRequest) == 0


async def test_duplicate_of_a_request_still_running_answers_409(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    from app.http.idempotency import request_hash

    body = b'{"text": "Talks stalled."}'
    scope = {"method": "POST", "path": "/v1/articles", "query_string": b""}
    engine = make_engine(database_url)
    ensure_current(engine, auto_migrate=False)
    with engine.begin() as conn:  # a claim whose request is still being answered elsewhere
        conn.execute(
            text(
                "INSERT INTO idempotent_request (key, principal, request_hash, created_at) "
                "VALUES ('slow-1', 'anonymous', :h, CURRENT_TIMESTAMP)"
            ),
            {"h": request_hash(scope, body)},
        )
    engine.dispose()
    settings = make_settings(idempotency_wait_seconds=0.2, run_worker=False)
    async with serve(settings) as client:
        answer = await client.post(
            "/v1/articles",
            content=body,
            headers={"Idempotency-Key": "slow-1", "Content-Type": "application/json"},
        )
    assert answer.status_code == 409
    assert answer.headers["Retry-After"] == "1"


async def test_malformed_idempotency_key_is_refused(
    make_settings: Callable[..., Settings],
) -> None:
    async with serve(make_settings(run_worker=False)) as client:
        long = await client.post(
            "/v1/articles", json=ARTICLE, headers={"Idempotency-Key": "k" * 256}
        )
    assert long.status_code == 422
    assert long.json()["error"]["code"] == "invalid_input"


@contextmanager
def unreachable(engine: Engine) -> Iterator[None]:
    """The database refuses every new connection, as a server that went away does."""

    def refuse(*_: Any) -> None:
        raise engine.dialect.loaded_dbapi.OperationalError("connection refused")

    engine.dispose()
    event.listen(engine, "do_connect", refuse)
    try:
        yield
    finally:
        event.remove(engine, "do_connect", refuse)


async def test_a_database_outage_while_claiming_a_key_is_the_one_503_with_retry_after(
    make_settings: Callable[..., Settings],
) -> None:
    # The access check has already read whether keys exist (cached), so the claim is the
    # request's first database call: it used to be a 500 from outside the app's handlers.
    settings = make_settings(run_worker=False, auth_cache_seconds=3600)
    async with running(settings) as (client, services):
        assert (await client.get("/v1/records")).status_code == 200
        with unreachable(services.engine):
            answer = await client.post(
                "/v1/articles", json=ARTICLE, headers={"Idempotency-Key": "outage-1"}
            )
        after = await client.post(
            "/v1/articles", json=ARTICLE, headers={"Idempotency-Key": "outage-1"}
        )

    expected = error_response(database_unavailable(OperationalError("", None, Exception())))
    assert answer.status_code == expected.status_code == 503
    assert answer.headers["Retry-After"] == expected.headers["Retry-After"]
    assert answer.json() == json.loads(expected.body)
    assert after.status_code == 202  # nothing was claimed: the key runs afresh
