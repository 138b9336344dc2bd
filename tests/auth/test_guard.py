"""Every route is closed without the right API key once auth is on; /healthz stays open."""

import logging
import re
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import text

from app.auth.keys import Scope, hash_key
from app.config import Settings
from app.db.engine import make_engine
from tests.support.app import serve
from tests.support.keys import bearer, mint

OPEN_PATHS = {"/healthz", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
WRONG_KEY = "pk_0123abcd_" + "x" * 43


def concrete(path: str) -> str:
    """A path template with every parameter filled in."""
    return re.sub(r"\{[^}]+\}", "1", path)


async def test_every_route_in_the_schema_needs_the_right_scope(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    keys = {
        "read": mint(database_url, Scope.READ),
        "ingest": mint(database_url, Scope.INGEST),
        "review": mint(database_url, Scope.REVIEW),
        "read+ingest": mint(database_url, Scope.READ, Scope.INGEST),
        "read+ingest+review": mint(database_url, Scope.READ, Scope.INGEST, Scope.REVIEW),
        "admin": mint(database_url, Scope.ADMIN),
    }
    needs = {
        "get": "read",
        "post": "ingest",
        "put": "ingest",
        "patch": "ingest",
        "delete": "ingest",
    }
    lacking = {
        "read": "ingest",
        "ingest": "review",
        "review": "read+ingest",
        "admin": "read+ingest+review",
    }
    walked = set()
    async with serve(make_settings()) as client:
        schema = (await client.get("/openapi.json")).json()
        for path, operations in schema["paths"].items():
            if path in OPEN_PATHS:
                continue
            for method in operations:
                needed = "admin" if path.startswith("/v1/admin") else needs[method]
                if needed == "ingest" and path.startswith(("/v1/records/", "/v1/events/")):
                    needed = "review"  # changing what the machine found is review
                url = concrete(path)

                async def call(headers: dict[str, str]) -> httpx.Response:
                    return await client.request(method, url, headers=headers, json={})

                assert (await call({})).status_code == 401, (method, path)
                assert (await call(bearer(WRONG_KEY))).status_code == 401, (method, path)
                assert (await call(bearer(keys[lacking[needed]]))).status_code == 403, (
                    method,
                    path,
                )
                for right in (needed, "admin"):
                    answer = await call(bearer(keys[right]))
                    assert answer.status_code not in (401, 403), (method, path, right)
                walked.add(f"{method.upper()} {path}")
    assert {"POST /v1/articles", "GET /v1/records", "GET /metrics"} <= walked


async def test_api_is_open_without_keys_and_the_startup_log_says_so(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="parley"):
        async with serve(make_settings()) as client:
            assert (await client.get("/v1/records")).status_code == 200
    assert any("OPEN" in r.getMessage() for r in caplog.records if r.name == "parley")


async def test_require_auth_closes_the_api_before_any_key_exists(
    make_settings: Callable[..., Settings],
) -> None:
    async with serve(make_settings(require_auth=True)) as client:
        answer = await client.get("/v1/records")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert answer.json()["error"]["code"] == "unauthorized"


async def test_healthz_and_docs_stay_open_when_auth_is_required(
    make_settings: Callable[..., Settings],
) -> None:
    async with serve(make_settings(require_auth=True)) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/openapi.json")).status_code == 200
        assert (await client.get("/docs")).status_code == 200


async def test_key_created_by_another_process_takes_effect_after_the_cache_ttl(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    async with serve(make_settings(auth_cache_seconds=0.2)) as client:
        assert (await client.get("/v1/records")).status_code == 200
        # Written behind this process's back, as `parley keys create` in a shell would.
        engine = make_engine(database_url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO api_key (prefix, key_hash, scopes, created_at) "
                    "VALUES ('0badcafe', :h, 'read', CURRENT_TIMESTAMP)"
                ),
                {"h": hash_key("pk_0badcafe_" + "s" * 43)},
            )
        engine.dispose()
        import asyncio

        await asyncio.sleep(0.3)
        assert (await client.get("/v1/records")).status_code == 401


async def test_wrong_key_is_refused_with_invalid_token(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    mint(database_url, Scope.READ)
    async with serve(make_settings()) as client:
        answer = await client.get("/v1/records", headers=bearer(WRONG_KEY))
        basic = await client.get("/v1/records", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert basic.status_code == 401


async def test_revoked_key_is_refused_at_once(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    from app.auth.keys import revoke_key
    from app.db.unit import transaction

    key = mint(database_url, Scope.READ)
    async with serve(make_settings()) as client:
        assert (await client.get("/v1/records", headers=bearer(key))).status_code == 200
        engine = make_engine(database_url)
        with transaction(engine) as unit:
            assert revoke_key(unit.session, key.split("_")[1]) is not None
        engine.dispose()
        assert (await client.get("/v1/records", headers=bearer(key))).status_code == 401


async def test_forbidden_names_the_missing_scope(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    key = mint(database_url, Scope.INGEST)
    async with serve(make_settings()) as client:
        answer = await client.get("/v1/records", headers=bearer(key))
    assert answer.status_code == 403
    assert answer.json()["error"] == {
        "code": "forbidden",
        "message": "this API key lacks the 'read' scope",
        "details": {"needed": "read"},
    }
