"""Per-key rate limits: a token bucket per API key (per client IP while the API is open),
429 with Retry-After once the burst is spent."""

from collections.abc import Callable

from app.auth.keys import Scope
from app.auth.rate_limit import RateLimiter
from app.config import Settings
from tests.support.app import serve
from tests.support.keys import bearer, mint


async def test_burst_spent_answers_429_with_retry_after(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    key = mint(database_url, Scope.READ)
    # One token a minute: a slow machine taking seconds per request refills nothing meanwhile.
    settings = make_settings(rate_limit_per_minute=1, rate_limit_burst=3, run_worker=False)
    async with serve(settings) as client:
        answers = [await client.get("/v1/records", headers=bearer(key)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 50 <= int(answers[3].headers["Retry-After"]) <= 60
    assert answers[3].json()["error"]["code"] == "rate_limited"


async def test_each_key_has_its_own_allowance(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    first, second = mint(database_url, Scope.READ), mint(database_url, Scope.READ)
    settings = make_settings(rate_limit_per_minute=1, rate_limit_burst=1, run_worker=False)
    async with serve(settings) as client:
        assert (await client.get("/v1/records", headers=bearer(first))).status_code == 200
        assert (await client.get("/v1/records", headers=bearer(first))).status_code == 429
        assert (await client.get("/v1/records", headers=bearer(second))).status_code == 200


async def test_open_api_is_limited_per_client_ip_but_healthz_is_not(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(rate_limit_per_minute=1, rate_limit_burst=2, run_worker=False)
    async with serve(settings) as client:
        codes = [(await client.get("/v1/records")).status_code for _ in range(3)]
        health = [(await client.get("/healthz")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert health == [200, 200, 200]


def test_bucket_refills_at_the_sustained_rate() -> None:
    limiter = RateLimiter(per_minute=60, burst=1)
    assert limiter.wait_for("k") == 0
    wait = limiter.wait_for("k")
    assert 0.9 < wait <= 1.0


def test_no_rate_means_no_limit() -> None:
    limiter = RateLimiter(per_minute=None, burst=1)
    assert all(limiter.wait_for("k") == 0 for _ in range(1_000))
