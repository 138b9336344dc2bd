"""GET /v1/records: every filter, full-text search, cursor pagination, clear errors."""

import json
from collections.abc import AsyncIterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
import pytest_asyncio
import respx

from tests.support.app import serve, wait_for_article
from tests.support.databases import fresh_database, module_settings, postgres_database
from tests.support.llm import LLM_BASE_URL, llm_reply


def article(
    n: int, kind: str, status: str, date: str, country: str, mediator: str
) -> dict[str, Any]:
    """An article and the record the fake model finds in it."""
    sentence = f"Report {n}: the {kind} between the sides was {status} in the capital."
    record = {
        "kind": kind,
        "status": status,
        "summary": f"Number {n} {kind} involving {country}.",
        "parties": [{"name": country, "kind": "state", "country": country}],
        "mediators": [
            {"name": mediator, "kind": "organization", "country": None, "role": "mediator"}
        ],
        "date": date,
        "evidence": [sentence],
        "topics": ["humanitarian access"] if n % 2 else ["sea access"],
    }
    return {"text": f"{sentence}\n\nOther news followed.", "record": record}


FAKE_LLM: dict[str, Any] = {
    "openai_base_url": LLM_BASE_URL,
    "openai_api_key": "sk-test",
    "llm_sdk_retries": 0,
    "relevance_gate": False,
}
SHARED = pytest.mark.asyncio(loop_scope="module")  # the tests that read the shared app
ARTICLES = [
    article(1, "ceasefire", "agreed", "2024-05-20", "Sudan", "African Union"),
    article(2, "ceasefire", "violated", "2024-06", "Sudan", "IGAD"),
    article(3, "negotiation", "ongoing", "2024-07-02", "Sudan", "UN"),
    article(4, "ceasefire", "agreed", "2024-08-01", "Yemen", "UN"),
    article(5, "surrender", "completed", "2024", "Ukraine", "ICRC"),
    article(6, "prisoner_exchange", "completed", "2024-09-09", "Ukraine", "UAE"),
]


def _answer(body: dict[str, Any]) -> list[dict[str, Any]]:
    prompt = json.dumps(body["messages"])
    return [a["record"] for a in ARTICLES if a["text"].split(":")[0] + ":" in prompt]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def records(
    tmp_path_factory: pytest.TempPathFactory, postgres_ready: str | None
) -> AsyncIterator[httpx.AsyncClient]:
    """One app holding ARTICLES' records, shared by this module's read-only tests (a database
    of its own, so the per-test wipe of the others never reaches it)."""
    tmp = tmp_path_factory.mktemp("records")
    with ExitStack() as stack:
        url = (
            stack.enter_context(postgres_database("parley_records"))
            if postgres_ready
            else fresh_database(tmp, None)
        )
        llm = stack.enter_context(respx.mock(base_url=LLM_BASE_URL))
        llm.post("/chat/completions").mock(side_effect=llm_reply(_answer))
        async with serve(module_settings(tmp, url, **FAKE_LLM)) as client:
            for a in ARTICLES:
                posted = await client.post("/v1/articles", json={"text": a["text"]})
                done = await wait_for_article(client, posted.json()["id"])
                assert done["status"] == "done", done["error"]
            yield client


async def _summaries(client: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await client.get("/v1/records", params=params)
    assert response.status_code == 200, response.text
    return [r["summary"].split(" ")[1] for r in response.json()["items"]]


@SHARED
async def test_filters_combine(records: httpx.AsyncClient) -> None:
    assert await _summaries(records, country="Sudan") == ["3", "2", "1"]
    assert await _summaries(records, country="SDN", kind="ceasefire") == ["2", "1"]
    assert await _summaries(records, kind="ceasefire", status="agreed") == ["4", "1"]
    assert await _summaries(records, mediator="United Nations") == ["4", "3"]
    assert await _summaries(records, mediator="AU") == ["1"]
    assert await _summaries(records, mediator="United Arab Emirates") == ["6"]


@SHARED
async def test_since_and_until_compare_whole_partial_dates(records: httpx.AsyncClient) -> None:
    assert await _summaries(records, country="Sudan", since="2024-06") == ["3", "2"]
    assert await _summaries(records, country="Sudan", until="2024-06-15") == ["2", "1"]
    assert await _summaries(records, since="2024-09-01", until="2024-12-31") == ["6", "5"]


@SHARED
async def test_full_text_search_over_summaries_and_evidence(records: httpx.AsyncClient) -> None:
    assert await _summaries(records, q="violated") == ["2"]
    assert await _summaries(records, q="humanitarian access", country="Sudan") == ["3", "1"]
    assert await _summaries(records, q='"; DROP TABLE record; --') == []


@SHARED
async def test_cursor_pagination_walks_every_record_once(records: httpx.AsyncClient) -> None:
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = (await records.get("/v1/records", params=params)).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(ARTICLES) == len(set(seen))
    assert seen == sorted(seen, reverse=True)


@SHARED
async def test_a_record_by_id_carries_its_provenance(records: httpx.AsyncClient) -> None:
    first = (await records.get("/v1/records", params={"limit": 1})).json()["items"][0]

    record = (await records.get(f"/v1/records/{first['id']}")).json()

    assert record == first
    assert record["extractor"] == "llm"
    assert record["usage"]["llm_calls"] >= 1


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"country": "Atlantis"}, 422, "unknown country"),
        ({"mediator": "Galactic Empire"}, 422, "unknown"),
        ({"cursor": "not-a-cursor"}, 422, "invalid cursor"),
        ({"cursor": "eyJhZnRlciI6ICJ4In0"}, 422, "invalid cursor"),
        ({"limit": 0}, 422, "limit"),
        ({"limit": 100000}, 422, "limit"),
        ({"limit": "many"}, 422, "limit"),
        ({"kind": "armistice"}, 422, "kind"),
        ({"since": "June"}, 422, "invalid date"),
        ({"until": "2024-13"}, 422, "invalid date"),
        ({"q": "!!!"}, 422, "no words"),
    ],
)
async def test_bad_queries_get_a_clear_422(
    client: httpx.AsyncClient, params: dict[str, Any], status: int, message: str
) -> None:
    response = await client.get("/v1/records", params=params)

    assert response.status_code == status
    assert message in response.json()["error"]["message"]


async def test_unknown_record_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/records/424242")

    assert response.status_code == 404
