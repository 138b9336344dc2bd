"""GET /v1/events and /v1/processes over the real app: the tuning set's articles posted, the
fake model answering with their hand-coded records; every filter, pages, sources with evidence
that points into the article, timelines in date order, clear errors."""

import base64
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
from tests.support.events import WIRE
from tests.support.llm import LLM_BASE_URL, llm_reply

ARTICLES = [json.loads(line) for line in WIRE.read_text(encoding="utf-8").splitlines() if line]
GOLD_ONLY = ("optional", "event", "process")
FAKE_LLM: dict[str, Any] = {
    "openai_base_url": LLM_BASE_URL,
    "openai_api_key": "sk-test",
    "llm_sdk_retries": 0,
    "relevance_gate": False,
}
SHARED = pytest.mark.asyncio(loop_scope="module")


def _answer(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The hand-coded records of the article the prompt carries."""
    prompt = json.dumps(body["messages"])
    article = next(a for a in ARTICLES if json.dumps(a["text"][:80])[1:-1] in prompt)
    return [{k: v for k, v in r.items() if k not in GOLD_ONLY} for r in article["records"]]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def desk(
    tmp_path_factory: pytest.TempPathFactory, postgres_ready: str | None
) -> AsyncIterator[httpx.AsyncClient]:
    """One app holding the tuning set's records, shared by this module's read-only tests."""
    tmp = tmp_path_factory.mktemp("events")
    with ExitStack() as stack:
        url = (
            stack.enter_context(postgres_database("parley_events"))
            if postgres_ready
            else fresh_database(tmp, None)
        )
        llm = stack.enter_context(respx.mock(base_url=LLM_BASE_URL))
        llm.post("/chat/completions").mock(side_effect=llm_reply(_answer))
        async with serve(module_settings(tmp, url, **FAKE_LLM)) as client:
            for a in ARTICLES:
                fields = {k: a[k] for k in ("text", "title", "url", "source", "published_at")}
                posted = await client.post("/v1/articles", json=fields)
                assert posted.status_code == 202, posted.text
                done = await wait_for_article(client, posted.json()["id"])
                assert done["status"] == "done", done["error"]
            yield client


async def _events(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/events", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _gold_events(predicate: Any = lambda a, r: True) -> set[str]:
    return {r["event"] for a in ARTICLES for r in a["records"] if predicate(a, r)}


@SHARED
async def test_each_development_is_listed_once_with_all_its_sources(
    desk: httpx.AsyncClient,
) -> None:
    events = await _events(desk)

    assert len(events) == len(_gold_events())
    reporting: dict[str, set[str]] = {}
    for a in ARTICLES:
        for r in a["records"]:
            reporting.setdefault(r["event"], set()).add(a["url"])
    assert sorted(e["source_count"] for e in events) == sorted(map(len, reporting.values()))
    assert all(len(e["sources"]) >= e["source_count"] for e in events)


@SHARED
async def test_min_sources_keeps_developments_reported_by_several_outlets(
    desk: httpx.AsyncClient,
) -> None:
    several = await _events(desk, min_sources=2)

    assert several
    assert all(e["source_count"] >= 2 for e in several)
    assert len({u for e in several for u in (s["url"] for s in e["sources"])}) > len(several)


@SHARED
async def test_filters_understand_country_and_mediator_aliases(desk: httpx.AsyncClient) -> None:
    congo = await _events(desk, country="DRC")
    un = await _events(desk, mediator="UN")

    assert congo == await _events(desk, country="COD")
    assert congo
    assert all("COD" in e["countries"] for e in congo)
    assert un
    assert all(any(m["name"] == "United Nations" for m in e["mediators"]) for e in un)


@SHARED
async def test_kind_status_dates_and_text_filters_combine(desk: httpx.AsyncClient) -> None:
    swaps = await _events(desk, kind="prisoner_exchange", status="completed")
    march = await _events(desk, since="2026-03", until="2026-03")
    truce = await _events(desk, q="truce", kind="ceasefire")

    assert swaps
    assert all((e["kind"], e["status"]) == ("prisoner_exchange", "completed") for e in swaps)
    everything = await _events(desk)
    dated_march = {e["id"] for e in everything if (e["date"] or "")[:7] == "2026-03"}
    assert dated_march
    assert dated_march <= {e["id"] for e in march}
    assert all((e["date"] or "2026-03")[:7] in ("2026-03", "2026") for e in march)
    assert truce
    assert all(e["kind"] == "ceasefire" for e in truce)


@SHARED
async def test_pages_walk_every_event_newest_development_first(desk: httpx.AsyncClient) -> None:
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = (await desk.get("/v1/events", params=params)).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert [e["id"] for e in seen] == [e["id"] for e in await _events(desk)]
    assert len({e["id"] for e in seen}) == len(seen)


@SHARED
async def test_an_events_sources_quote_their_articles_exactly(desk: httpx.AsyncClient) -> None:
    busiest = max(await _events(desk), key=lambda e: e["source_count"])

    detail = (await desk.get(f"/v1/events/{busiest['id']}")).json()

    assert detail["id"] == busiest["id"]
    for source in detail["sources"]:
        article = (await desk.get(f"/v1/articles/{source['article_id']}")).json()
        assert source["title"] == article["title"]
        for quote in source["evidence"]:
            assert article["text"][quote["start"] : quote["end"]] == quote["quote"]
        record = next(r for r in article["records"] if r["id"] == source["record_id"])
        assert record["event_id"] == busiest["id"]
    assert detail["sources"][0]["reasons"]


@SHARED
async def test_a_process_timeline_lists_its_events_in_date_order(desk: httpx.AsyncClient) -> None:
    processes = (await desk.get("/v1/processes", params={"country": "Ukraine"})).json()["items"]
    assert processes
    longest = max(processes, key=lambda p: p["event_count"])

    timeline = (await desk.get(f"/v1/processes/{longest['id']}")).json()

    days = [e["date"] or "" for e in timeline["events"]]
    assert len(timeline["events"]) == longest["event_count"] > 1
    assert [d[:7] for d in days if d] == sorted(d[:7] for d in days if d)
    listed = await _events(desk, process=longest["id"])
    assert {e["id"] for e in listed} == {e["id"] for e in timeline["events"]}
    assert "UKR" in timeline["countries"]


@SHARED
@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("/v1/events", {"countri": "Sudan"}, 422, "unknown query parameter"),
        ("/v1/events", {"cursor": "not-ours"}, 422, "invalid cursor"),
        ("/v1/events", {"min_sources": 0}, 422, "min_sources"),
        ("/v1/events", {"min_sources": 4509575089362747925725184}, 422, "min_sources"),
        ("/v1/events", {"process": 2**63}, 422, "process"),
        ("/v1/events", {"country": "Atlantis"}, 422, "Atlantis"),
        ("/v1/events/999999", {}, 404, "event 999999 not found"),
        ("/v1/processes", {"kind": "ceasefire"}, 422, "unknown query parameter"),
        ("/v1/processes/999999", {}, 404, "process 999999 not found"),
    ],
)
async def test_bad_requests_get_a_clear_error(
    desk: httpx.AsyncClient, path: str, params: dict[str, Any], status: int, says: str
) -> None:
    response = await desk.get(path, params=params)

    assert response.status_code == status
    assert says in response.text


@SHARED
@pytest.mark.parametrize(
    "position", [{"d": "2026-01-01", "id": 2**63}, {"d": "not a day", "id": 1}, {"id": 1}]
)
async def test_a_crafted_cursor_is_a_422(desk: httpx.AsyncClient, position: dict[str, Any]) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")

    response = await desk.get("/v1/events", params={"cursor": cursor})

    assert response.status_code == 422
    assert "invalid cursor" in response.text
