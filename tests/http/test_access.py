"""Access is decided before a request's body is read, and every request counts against its
caller's rate limit, whatever it answers."""

from collections.abc import AsyncIterator, Callable

from app.auth.keys import Scope
from app.config import Settings
from tests.support.app import serve
from tests.support.keys import bearer, mint


async def test_a_request_without_a_key_is_refused_before_its_body_is_read(
    make_settings: Callable[..., Settings],
) -> None:
    consumed: list[bytes] = []

    async def endless_body() -> AsyncIterator[bytes]:
        for _ in range(1_000):
            consumed.append(b"x")
            yield b'{"text": "' + b"x" * 1024

    async with serve(make_settings(require_auth=True, run_worker=False)) as client:
        answer = await client.post("/v1/articles", content=endless_body())

    assert answer.status_code == 401
    assert consumed == []


async def test_malformed_json_without_a_key_is_401_not_a_parse_error(
    make_settings: Callable[..., Settings],
) -> None:
    async with serve(make_settings(require_auth=True, run_worker=False)) as client:
        answer = await client.post(
            "/v1/articles", content=b"{not json", headers={"Content-Type": "application/json"}
        )

    assert answer.status_code == 401


async def test_malformed_requests_and_idempotent_replays_count_against_the_limit(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    key = bearer(mint(database_url, Scope.INGEST))
    settings = make_settings(rate_limit_per_minute=1, rate_limit_burst=3, run_worker=False)
    replay = key | {"Idempotency-Key": "same-post"}
    async with serve(settings) as client:
        broken = await client.post(
            "/v1/articles", content=b"{", headers=key | {"Content-Type": "application/json"}
        )
        first = await client.post("/v1/articles", json={"text": "Talks resumed."}, headers=replay)
        again = await client.post("/v1/articles", json={"text": "Talks resumed."}, headers=replay)
        limited = await client.post("/v1/articles", json={"text": "Talks resumed."}, headers=replay)

    assert [broken.status_code, first.status_code, again.status_code] == [400, 202, 202]
    assert limited.status_code == 429
