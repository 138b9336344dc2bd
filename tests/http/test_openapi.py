"""The OpenAPI document says what clients need: the bearer scheme, idempotency, retry headers,
and the page size bound the settings set."""

from collections.abc import Callable
from typing import Any

from app.config import Settings
from tests.support.app import serve


async def document(settings: Settings) -> dict[str, Any]:
    async with serve(settings) as client:
        answer = await client.get("/openapi.json")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(p, m, op) for p, ops in doc["paths"].items() for m, op in ops.items()]


async def test_every_operation_but_health_requires_the_bearer_scheme(settings: Settings) -> None:
    doc = await document(settings)

    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, _, operation in operations(doc):
        expected = None if path == "/healthz" else [{"bearer": []}]
        assert operation.get("security") == expected, path


async def test_every_post_takes_an_idempotency_key(settings: Settings) -> None:
    doc = await document(settings)

    posts = [op for _, method, op in operations(doc) if method == "post"]
    assert posts
    for operation in posts:
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert "Idempotency-Key" in names


async def test_rate_limited_and_unavailable_answers_declare_retry_after(
    settings: Settings,
) -> None:
    doc = await document(settings)

    for path, method, operation in operations(doc):
        for status in ("429", "503"):
            if status in operation["responses"]:
                headers = operation["responses"][status].get("headers", {})
                assert "Retry-After" in headers, (method, path, status)


async def test_the_page_size_bound_follows_the_settings(
    make_settings: Callable[..., Settings],
) -> None:
    doc = await document(make_settings(page_size_max=123))

    (limit,) = [p for p in doc["paths"]["/v1/records"]["get"]["parameters"] if p["name"] == "limit"]
    integer = next(b for b in limit["schema"]["anyOf"] if b.get("type") == "integer")
    assert (integer["minimum"], integer["maximum"]) == (1, 123)


async def test_list_routes_document_their_csv_and_ndjson_answers(settings: Settings) -> None:
    doc = await document(settings)

    for path, item in (("/v1/records", "RecordOut"), ("/v1/events", "EventOut")):
        operation = doc["paths"][path]["get"]
        content = operation["responses"]["200"]["content"]
        assert set(content) == {"application/json", "text/csv", "application/x-ndjson"}
        assert content["text/csv"]["schema"] == {"type": "string"}
        ndjson_item = content["application/x-ndjson"]["itemSchema"]
        assert ndjson_item == {"$ref": f"#/components/schemas/{item}"}
        (fmt,) = [p for p in operation["parameters"] if p["name"] == "format"]
        assert fmt["in"] == "query"
        assert "Accept" in fmt["description"]
    formats = doc["components"]["schemas"]["ExportFormat"]["enum"]
    assert formats == ["json", "csv", "ndjson"]
