"""GET /v1/events as CSV and NDJSON over the real app, on the events tuning set stored through
the real store-and-attach path: every matching event in the JSON API's order and with its values
(sources included), read back with the standard library; the format from `format` or `Accept`;
clear 4xx before anything is streamed."""

import csv
import io
import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
import pytest_asyncio

from app.auth.keys import Scope
from app.config import Settings
from tests.support.app import serve
from tests.support.corpus import TESTS
from tests.support.databases import fresh_database, module_settings, postgres_database
from tests.support.events import empty_engine, store_all, wire
from tests.support.keys import bearer, mint

SHARED = pytest.mark.asyncio(loop_scope="module")
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def desk(
    tmp_path_factory: pytest.TempPathFactory, postgres_ready: str | None
) -> AsyncIterator[httpx.AsyncClient]:
    """One app holding the tuning set's events, exporting three per batch so that every export
    crosses batches (and days shared by several events); shared by the read-only tests."""
    tmp = tmp_path_factory.mktemp("event_exports")
    with ExitStack() as stack:
        url = (
            stack.enter_context(postgres_database("parley_event_exports"))
            if postgres_ready
            else fresh_database(tmp, None)
        )
        engine = empty_engine(url)
        store_all(engine, wire())
        engine.dispose()
        settings = module_settings(tmp, url, export_batch_size=3)
        async with serve(settings) as client:
            yield client


async def _json_items(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/events", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _csv(client: httpx.AsyncClient, **params: Any) -> list[dict[str, str]]:
    response = await client.get("/v1/events", params={"format": "csv", **params})
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))


def text(value: Any) -> str:
    """What the README says a cell holds for a JSON value."""
    if value is None:
        written = ""
    elif isinstance(value, bool):
        written = str(value).lower()
    elif isinstance(value, list):
        written = "; ".join(text(v) for v in value)
    else:
        written = str(value)
    return "'" + written if written.startswith(FORMULA_LEADS) else written


def expected_row(item: dict[str, Any]) -> dict[str, str]:
    """A JSON API event as the README's columns describe its CSV row."""
    location = item["location"] or {}
    sources = item["sources"]
    flat = {
        "parties": [p["name"] for p in item["parties"]],
        "mediators": [m["name"] for m in item["mediators"]],
        "mediator_roles": [m["role"] for m in item["mediators"]],
        "location": location.get("name"),
        "location_country": location.get("country"),
        "source_record_ids": [s["record_id"] for s in sources],
        "source_article_ids": [s["article_id"] for s in sources],
        "source_outlets": [s["source"] for s in sources],
        "source_urls": [s["url"] for s in sources],
    }
    nested = ("parties", "mediators", "location", "sources")
    row = {key: text(value) for key, value in item.items() if key not in nested}
    return row | {key: text(value) for key, value in flat.items()}


def documented_columns(title: str) -> list[str]:
    """The column names the README lists after `title`, in order."""
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    paragraph = readme.split(title, 1)[1].split("\n\n", 1)[0]
    return re.findall(r"`([a-z_]+)`", paragraph)


@SHARED
async def test_the_csv_header_is_the_readme_column_list(desk: httpx.AsyncClient) -> None:
    response = await desk.get("/v1/events", params={"format": "csv"})

    header = next(csv.reader(io.StringIO(response.text, newline="")))
    assert header == documented_columns("**Events CSV columns**")


@SHARED
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"min_sources": "2"},
        {"country": "DRC"},
        {"kind": "ceasefire", "since": "2026-02"},
        {"q": "truce"},
        {"mediator": "UN", "until": "2026-03"},
    ],
)
async def test_csv_read_back_is_the_json_api_same_rows_order_and_values(
    desk: httpx.AsyncClient, filters: dict[str, str]
) -> None:
    items = await _json_items(desk, **filters)
    rows = await _csv(desk, **filters)

    assert items
    assert [r["id"] for r in rows] == [str(i["id"]) for i in items]
    assert rows == [expected_row(i) for i in items]


@SHARED
async def test_every_event_is_exported_once_across_batches(desk: httpx.AsyncClient) -> None:
    rows = await _csv(desk)
    days = [r["date"] for r in rows]

    assert len(rows) == len({r["id"] for r in rows}) == len(await _json_items(desk)) > 3 * 5
    assert len(days) > len(set(days))  # some batches end inside a day several events share


@SHARED
async def test_an_event_reported_by_several_outlets_lists_each_source(
    desk: httpx.AsyncClient,
) -> None:
    rows = await _csv(desk, min_sources="3")

    assert rows
    for row in rows:
        urls = row["source_urls"].split("; ")
        assert len(urls) == len(row["source_record_ids"].split("; ")) >= int(row["source_count"])
        assert len(set(urls)) >= 3
        assert all(u.startswith("https://") for u in urls)


@SHARED
@pytest.mark.parametrize("filters", [{}, {"process": "1"}, {"status": "agreed"}])
async def test_ndjson_lines_are_the_json_api_items(
    desk: httpx.AsyncClient, filters: dict[str, str]
) -> None:
    items = await _json_items(desk, **filters)

    response = await desk.get("/v1/events", params={"format": "ndjson", **filters})

    assert response.headers["content-type"] == "application/x-ndjson"
    assert response.headers["content-disposition"] == 'attachment; filename="events.ndjson"'
    assert [json.loads(line) for line in response.text.splitlines()] == items


@SHARED
@pytest.mark.parametrize(
    ("params", "accept", "media_type"),
    [
        ({}, "text/csv", "text/csv"),
        ({}, "application/x-ndjson;q=0.9, text/csv;q=0.5", "application/x-ndjson"),
        ({"format": "csv"}, "application/x-ndjson", "text/csv"),
        ({"format": "json"}, "text/csv", "application/json"),
    ],
)
async def test_the_format_parameter_wins_over_the_accept_header(
    desk: httpx.AsyncClient, params: dict[str, str], accept: str, media_type: str
) -> None:
    response = await desk.get("/v1/events", params=params, headers={"Accept": accept})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type


@SHARED
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"format": "tsv"}, "'json', 'csv' or 'ndjson'"),
        ({"format": "csv", "limit": 10}, "limit page JSON answers"),
        ({"format": "ndjson", "cursor": "eyJkIjoiMjAyNi0wMS0wMSIsImlkIjoxfQ"}, "cursor page"),
        ({"format": "csv", "min_sources": 0}, "min_sources"),
        ({"format": "csv", "process": 2**63}, "process"),
        ({"format": "csv", "countri": "Sudan"}, "unknown query parameter(s): countri"),
        ({"format": "ndjson", "q": "?!"}, "no words"),
    ],
)
async def test_a_bad_export_request_is_a_422_before_anything_streams(
    desk: httpx.AsyncClient, params: dict[str, Any], message: str
) -> None:
    response = await desk.get("/v1/events", params=params)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["error"]["message"]


async def test_a_read_key_is_enough_to_export(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    key = bearer(mint(database_url, Scope.READ))
    async with serve(make_settings(require_auth=True)) as client:
        keyless = await client.get("/v1/events", params={"format": "csv"})
        as_csv = await client.get("/v1/events", headers=key | {"Accept": "text/csv"})
        as_ndjson = await client.get("/v1/events", params={"format": "ndjson"}, headers=key)

    assert keyless.status_code == 401
    assert (as_csv.status_code, as_ndjson.status_code) == (200, 200)
    assert as_csv.text.startswith('"id","kind","status"')
    assert as_ndjson.content == b""
