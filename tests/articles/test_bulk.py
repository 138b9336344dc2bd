"""POST /v1/articles/bulk: NDJSON in, one result per line out, in order; bad lines spoil
nothing, duplicates are found within the upload too, caps and backpressure end the stream with
an error line, a replayed Idempotency-Key creates nothing, and every article accepted ends done."""

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from sqlmodel import Session, func, select

from app.articles.tables import Article
from app.auth.keys import Scope
from app.config import Settings
from app.db.engine import make_engine
from tests.support.app import serve, wait_for_article
from tests.support.keys import bearer, mint
from tests.support.samples import TEXT

BULK = "/v1/articles/bulk"


def story(n: int) -> str:
    """A distinct short article the rules extractor reads."""
    return f"Talks, round {n}. " + TEXT


def ndjson(*items: Any) -> bytes:
    """Lines of an upload: objects as JSON, strings as they are."""
    return b"".join(
        (item if isinstance(item, str) else json.dumps(item)).encode() + b"\n" for item in items
    )


def results(response: httpx.Response) -> list[dict[str, Any]]:
    """The answer's NDJSON lines."""
    return [json.loads(line) for line in response.text.splitlines()]


def count_articles(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return int(session.exec(select(func.count()).select_from(Article)).one())
    finally:
        engine.dispose()


async def chunked(body: bytes, size: int) -> AsyncIterator[bytes]:
    """The body in chunks of `size` bytes, sent with no Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_mixed_lines_get_one_result_each_in_order(
    make_settings: Callable[..., Settings],
) -> None:
    body = ndjson(
        {"text": story(1), "title": "One"},
        "{not json",
        {"text": story(2), "colour": "blue"},
        "",
        {"text": "  " + story(1).replace(" ", "  ")},
        {"text": story(3) * 40},
        {"url": "http://127.0.0.1/admin"},
        {"text": story(4)},
    )
    settings = make_settings(run_worker=False, max_text_chars=2_000, bulk_batch_lines=3)
    async with serve(settings) as client:
        answer = await client.post(BULK, content=body)

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    lines = results(answer)
    assert [(r["line"], r["result"]) for r in lines] == [
        (1, "created"),
        (2, "invalid"),
        (3, "invalid"),
        (5, "duplicate"),
        (6, "invalid"),
        (7, "invalid"),
        (8, "created"),
    ]
    assert lines[3]["id"] == lines[0]["id"]
    assert "Invalid JSON" in lines[1]["error"]
    assert "colour" in lines[2]["error"]
    assert "limit is 2000" in lines[4]["error"]
    assert "not publicly routable" in lines[5]["error"]


async def test_the_same_text_twice_in_one_upload_is_one_article(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    async with serve(make_settings(run_worker=False)) as client:
        single = await client.post("/v1/articles", json={"text": story(9)})
        body = ndjson(
            {"text": story(1)},
            {"text": story(9)},
            {"text": story(1) + "\n"},
            {"url": "https://news.example/a?utm_source=x", "text": story(2)},
            {"url": "https://news.example/a", "text": story(3)},
        )
        answer = await client.post(BULK, content=body)

    lines = results(answer)
    assert [r["result"] for r in lines] == [
        "created",
        "duplicate",
        "duplicate",
        "created",
        "duplicate",
    ]
    assert lines[1]["id"] == single.json()["id"]
    assert lines[2]["id"] == lines[0]["id"]
    assert lines[4]["id"] == lines[3]["id"]
    assert count_articles(database_url) == 3


async def test_every_accepted_article_ends_done_with_the_rules_extractor(
    make_settings: Callable[..., Settings],
) -> None:
    body = ndjson(*({"text": story(n)} for n in range(12)))
    settings = make_settings(extractor_choice="rules", bulk_batch_lines=5)
    async with serve(settings) as client:
        answer = await client.post(BULK, content=body)
        ids = [r["id"] for r in results(answer)]
        finished = [await wait_for_article(client, i, within=60) for i in ids]

    assert len(set(ids)) == 12
    assert [a["status"] for a in finished] == ["done"] * 12
    assert all(a["records"] for a in finished)


async def test_past_the_total_cap_the_lines_read_stay_accepted_and_an_error_line_ends(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    body = ndjson(*({"text": story(n)} for n in range(6)))
    cap = len(ndjson(*({"text": story(n)} for n in range(3)))) + 10
    settings = make_settings(run_worker=False, bulk_max_bytes=cap, bulk_batch_lines=2)
    async with serve(settings) as client:
        answer = await client.post(BULK, content=chunked(body, 50))

    assert answer.status_code == 200
    *accepted, last = results(answer)
    assert [(r["line"], r["result"]) for r in accepted] == [(n, "created") for n in (1, 2, 3)]
    assert last["error"]["code"] == "payload_too_large"
    assert last["error"]["details"]["next_line"] == 4
    assert count_articles(database_url) == 3


async def test_an_upload_declared_over_the_cap_is_refused_with_413(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    body = ndjson(*({"text": story(n)} for n in range(3)))
    async with serve(make_settings(run_worker=False, bulk_max_bytes=100)) as client:
        declared = await client.post(BULK, content=body)
        streamed = await client.post(BULK, content=chunked(body, 1_000))

    assert declared.status_code == streamed.status_code == 413
    assert count_articles(database_url) == 0


async def test_a_line_past_the_line_cap_is_invalid_and_the_next_is_read(
    make_settings: Callable[..., Settings],
) -> None:
    body = ndjson({"text": story(1) * 20}, {"text": story(2)})
    async with serve(make_settings(run_worker=False, max_body_bytes=1_000)) as client:
        answer = await client.post(BULK, content=chunked(body, 64))

    first, second = results(answer)
    assert first["result"] == "invalid"
    assert "the limit is 1000" in first["error"]
    assert (second["line"], second["result"]) == (2, "created")


async def test_a_full_queue_refuses_the_upload_up_front_with_503(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    async with serve(make_settings(run_worker=False, max_queued_articles=1)) as client:
        await client.post("/v1/articles", json={"text": story(0)})
        answer = await client.post(BULK, content=ndjson({"text": story(1)}))

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"
    assert count_articles(database_url) == 1


async def test_a_queue_filling_up_midway_ends_the_stream_with_the_line_to_resume_from(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    body = ndjson(*({"text": story(n)} for n in range(8)))
    settings = make_settings(run_worker=False, max_queued_articles=3, bulk_batch_lines=2)
    async with serve(settings) as client:
        answer = await client.post(BULK, content=body)

    *accepted, last = results(answer)
    # The room is checked before each batch: 2 queued < 3 lets a second batch in.
    assert [r["line"] for r in accepted] == [1, 2, 3, 4]
    assert last["error"]["code"] == "unavailable"
    assert last["error"]["details"]["next_line"] == 5
    assert count_articles(database_url) == 4


async def test_a_replayed_idempotency_key_answers_the_same_results_and_creates_nothing(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    body = ndjson({"text": story(1)}, "oops", {"text": story(2)})
    headers = {"Idempotency-Key": "archive-2024"}
    async with serve(make_settings(run_worker=False)) as client:
        first = await client.post(BULK, content=chunked(body, 40), headers=headers)
        again = await client.post(BULK, content=body, headers=headers)
        other = await client.post(BULK, content=ndjson({"text": story(3)}), headers=headers)

    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["content-type"].startswith("application/x-ndjson")
    assert results(again) == results(first)
    assert [r["result"] for r in results(first)] == ["created", "invalid", "created"]
    assert other.status_code == 422
    assert count_articles(database_url) == 2


async def test_bulk_upload_needs_the_ingest_scope(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    reader = mint(database_url, Scope.READ)
    writer = mint(database_url, Scope.INGEST)
    body = ndjson({"text": story(1)})
    async with serve(make_settings(run_worker=False)) as client:
        refused = await client.post(BULK, content=body, headers=bearer(reader))
        taken = await client.post(BULK, content=body, headers=bearer(writer))

    assert refused.status_code == 403
    assert [r["result"] for r in results(taken)] == ["created"]
