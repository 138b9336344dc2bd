"""POST /v1/articles through to stored records, with the LLM faked over HTTP."""

from typing import Any

import httpx
import pytest
import respx

from tests.support.app import wait_for_article
from tests.support.llm import LLM_BASE_URL, llm_reply
from tests.support.samples import RECORD, TEXT


@pytest.fixture
def llm() -> Any:
    with respx.mock(base_url=LLM_BASE_URL, assert_all_called=False) as mock:
        yield mock


async def test_posted_text_is_extracted_grounded_and_normalised(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(side_effect=llm_reply([RECORD]))

    posted = await client.post(
        "/v1/articles",
        json={"text": TEXT, "title": "Talks", "published_at": "2024-08-14T07:24:34Z"},
    )
    assert posted.status_code == 202
    assert posted.json()["status"] == "queued"

    article = await wait_for_article(client, posted.json()["id"])
    assert article["status"] == "done", article["error"]
    (record,) = article["records"]
    assert [p["country"] for p in record["parties"]] == ["SOM", "ETH"]
    assert record["mediators"][0]["country"] == "TUR"
    assert record["location"]["country"] == "TUR"
    assert record["countries"] == ["ETH", "SOM"]
    (evidence,) = record["evidence"]
    assert article["text"][evidence["start"] : evidence["end"]] == (
        "made “notable progress” on the second round of talks in Ankara"
    )
    assert record["extractor"] == "llm"
    assert record["model"]
    assert record["prompt_version"]
    assert article["extraction"]["usage"]["prompt_tokens"] >= 1200


async def test_same_text_twice_is_one_article_and_one_llm_call(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    route = llm.post("/chat/completions").mock(side_effect=llm_reply([RECORD]))

    first = await client.post("/v1/articles", json={"text": TEXT})
    await wait_for_article(client, first.json()["id"])
    again = await client.post("/v1/articles", json={"text": "  " + TEXT.replace(" ", "  ") + "\n"})

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["status"] == "done"
    assert route.call_count == 1


async def test_ungrounded_record_is_dropped_and_counted(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    invented = {**RECORD, "evidence": ["Eritrea joined the talks as a guarantor"]}
    llm.post("/chat/completions").mock(side_effect=llm_reply([RECORD, invented]))

    posted = await client.post("/v1/articles", json={"text": TEXT})
    article = await wait_for_article(client, posted.json()["id"])

    assert article["status"] == "done"
    assert len(article["records"]) == 1
    assert article["extraction"]["records_dropped"] == 1
    assert article["extraction"]["dropped"][0]["reason"] == "evidence not found in article"


async def test_llm_outage_fails_the_article_with_reason_and_retry_recovers(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    route = llm.post("/chat/completions").mock(
        return_value=httpx.Response(503, json={"error": {"message": "overloaded"}})
    )
    posted = await client.post("/v1/articles", json={"text": TEXT})
    article_id = posted.json()["id"]

    failed = await wait_for_article(client, article_id)
    assert failed["status"] == "failed"
    assert failed["error"]
    assert route.call_count >= 1

    route.mock(side_effect=llm_reply([RECORD]))
    retried = await client.post(f"/v1/articles/{article_id}/retry")
    assert retried.status_code == 202
    done = await wait_for_article(client, article_id)
    assert done["status"] == "done"
    assert len(done["records"]) == 1


async def test_retry_of_an_article_that_did_not_fail_is_a_conflict(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(side_effect=llm_reply([RECORD]))
    posted = await client.post("/v1/articles", json={"text": TEXT})
    await wait_for_article(client, posted.json()["id"])

    response = await client.post(f"/v1/articles/{posted.json()['id']}/retry")

    assert response.status_code == 409
    assert "only failed articles" in response.json()["error"]["message"]


async def test_llm_bad_request_fails_without_retrying(
    client: httpx.AsyncClient, llm: respx.MockRouter
) -> None:
    route = llm.post("/chat/completions").mock(
        return_value=httpx.Response(400, json={"error": {"message": "model not found"}})
    )
    posted = await client.post("/v1/articles", json={"text": TEXT})

    article = await wait_for_article(client, posted.json()["id"])

    assert article["status"] == "failed"
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b'{"text": "unterminated', 400, "malformed JSON"),
        (b"[]", 422, "valid dictionary"),
        (b"{}", 422, "text"),
        (b'{"title": "no text"}', 422, "url"),
        (b'{"text": "   "}', 422, "empty"),
        (b'{"text": "a", "colour": "red"}', 422, "colour"),
        (b'{"text": "a", "published_at": "yesterday"}', 422, "published_at"),
        (b'{"text": "a", "published_at": "9999-12-31T23:59:59-23:59"}', 422, "published_at"),
        (b'{"text": "a", "published_at": "0001-01-01T00:00:00+23:59"}', 422, "published_at"),
        (b'{"text": "Talks \\udc00 resumed."}', 422, "text: Value error, lone surrogate"),
        (b'{"text": "a", "title": "\\udc00"}', 422, "title: Value error, lone surrogate"),
        (b'{"url": "https://a.example/\\ud800"}', 422, "url: Value error, lone surrogate"),
    ],
)
async def test_bad_article_bodies_get_a_clear_4xx(
    client: httpx.AsyncClient, body: bytes, status: int, message: str
) -> None:
    response = await client.post(
        "/v1/articles", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == status
    assert message in response.json()["error"]["message"]


async def test_text_over_the_limit_is_413(client: httpx.AsyncClient, settings: Any) -> None:
    response = await client.post("/v1/articles", json={"text": "x" * (settings.max_text_chars + 1)})

    assert response.status_code == 413
    assert str(settings.max_text_chars) in response.json()["error"]["message"]


async def test_unknown_article_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/articles/999999")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_healthz_reports_database_and_extractor(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["extractor"] == "llm"


async def test_llm_extractor_without_an_endpoint_fails_saying_how_to_configure_one(
    make_settings: Any,
) -> None:
    from asgi_lifespan import LifespanManager

    from app.main import create_app

    settings = make_settings(openai_base_url=None, openai_api_key=None, extractor_choice="llm")
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as c:
            posted = await c.post("/v1/articles", json={"text": TEXT})
            article = await wait_for_article(c, posted.json()["id"])

    assert article["status"] == "failed"
    assert "OPENAI_API_KEY" in article["error"]


async def test_openapi_docs_are_served(client: httpx.AsyncClient) -> None:
    docs = await client.get("/docs")
    schema = (await client.get("/openapi.json")).json()

    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    assert {"/v1/articles", "/v1/records", "/healthz"} <= set(schema["paths"])
