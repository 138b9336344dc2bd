"""Shared route dependencies: a query parameter a route does not declare is a 422 naming it."""

import httpx
import pytest

from app.config import Settings

# Every GET route, as its template; ids are filled in with 1 (the check comes before the 404).
GET_ROUTES = [
    "/v1/records",
    "/v1/records/{record_id}",
    "/v1/events",
    "/v1/events/{event_id}",
    "/v1/processes",
    "/v1/processes/{process_id}",
    "/v1/records/{record_id}/history",
    "/v1/events/{event_id}/history",
    "/v1/review/queue",
    "/v1/articles/{article_id}",
    "/v1/feeds",
    "/v1/feeds/{feed_id}",
    "/metrics",
    "/healthz",
]


def test_the_unknown_parameter_test_lists_every_get_route(settings: Settings) -> None:
    from app.main import create_app

    paths = create_app(settings).openapi()["paths"]

    assert {path for path, operations in paths.items() if "get" in operations} == set(GET_ROUTES)


@pytest.mark.parametrize("template", GET_ROUTES)
async def test_an_unknown_query_parameter_is_a_422_naming_it(
    client: httpx.AsyncClient, template: str
) -> None:
    path = template.split("{")[0] + "1" if "{" in template else template

    response = await client.get(path, params={"countri": "Sudan"})

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert "unknown query parameter" in error["message"]
    assert "countri" in error["message"]


async def test_only_the_unknown_parameters_are_named_beside_known_ones(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/v1/records", params={"country": "Sudan", "countri": "Sudan", "limt": "5"}
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["details"]["unknown"] == ["countri", "limt"]
    assert "country" in error["details"]["accepted"]


async def test_a_query_parameter_on_a_route_that_takes_a_body_is_a_422(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/articles?dry_run=1", json={"text": "Talks resumed."})

    assert response.status_code == 422
    assert "dry_run" in response.json()["error"]["message"]


async def test_declared_query_parameters_are_still_accepted(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/records", params={"country": "Sudan", "limit": 5})

    assert response.status_code == 200, response.text
