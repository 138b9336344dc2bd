"""Signing in to the desk with an API key and out again: the cookie, its flags, what it can and
cannot do, and the pages a stranger is sent away from."""

from collections.abc import Callable

import httpx
from fastapi.routing import APIRoute

from app.auth.keys import Scope, revoke_key
from app.auth.sessions import COOKIE
from app.config import Settings
from app.db.engine import make_engine
from app.db.unit import transaction
from app.desk.routes import ROUTERS
from tests.support.app import running
from tests.support.desk import csrf_of, sign_in
from tests.support.keys import mint


async def test_signing_in_sets_a_strict_httponly_cookie_that_is_not_the_key_and_signing_out_ends_it(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    key = mint(database_url, Scope.READ, name="Amina (desk)")
    async with running(make_settings()) as (client, _):
        answer = await sign_in(client, key)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/desk/events"
        cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(COOKIE))
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Secure" not in cookie  # plain HTTP: a Secure cookie would never come back
        assert key not in cookie
        token = client.cookies[COOKIE]
        page = await client.get("/desk/events")
        assert page.status_code == 200
        assert "Amina (desk)" in page.text
        assert "no-store" in page.headers["cache-control"]

        out = await client.post("/desk/sign-out", data={"csrf": csrf_of(page.text)})
        assert out.status_code == 303
        client.cookies.set(COOKIE, token)  # the old cookie, replayed
        again = await client.get("/desk/events")
    assert again.status_code == 303
    assert again.headers["location"].startswith("/desk/sign-in?next=")


async def test_over_https_the_cookie_is_secure(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    key = mint(database_url, Scope.READ)
    async with running(make_settings()) as (client, _):
        client.base_url = httpx.URL("https://parley.test")
        answer = await sign_in(client, key)
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(COOKIE))
    assert "Secure" in cookie


async def test_sign_in_refuses_wrong_keys_keys_that_cannot_read_and_forms_without_the_token(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    ingest_only = mint(database_url, Scope.INGEST)
    async with running(make_settings()) as (client, _):
        wrong = await sign_in(client, "pk_0123abcd_" + "x" * 43)
        cannot_read = await sign_in(client, ingest_only)
        no_token = await client.post("/desk/sign-in", data={"key": ingest_only})
    assert wrong.status_code == 401
    assert "not a valid API key" in wrong.text
    assert cannot_read.status_code == 403
    assert no_token.status_code == 403
    assert COOKIE not in client.cookies


async def test_a_revoked_key_ends_its_sessions_at_once(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    key = mint(database_url, Scope.READ)
    async with running(make_settings()) as (client, _):
        await sign_in(client, key)
        assert (await client.get("/desk/events")).status_code == 200
        engine = make_engine(database_url)
        with transaction(engine) as unit:
            revoke_key(unit.session, key.split("_")[1])
            unit.commit()
        engine.dispose()
        after = await client.get("/desk/events")
    assert after.status_code == 303


async def test_after_signing_in_the_browser_goes_only_to_a_desk_page(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    key = mint(database_url, Scope.READ)
    async with running(make_settings()) as (client, _):
        form = await client.get("/desk/sign-in?next=/desk/review")
        assert 'name="next" value="/desk/review"' in form.text
        for target, expected in [
            ("/desk/review", "/desk/review"),
            ("https://elsewhere.example/desk/", "/desk/events"),
            ("//elsewhere.example/desk/x", "/desk/events"),
            ("/v1/records", "/desk/events"),
        ]:
            form = await client.get("/desk/sign-in")
            data = {"csrf": csrf_of(form.text), "key": key, "next": target}
            answer = await client.post("/desk/sign-in", data=data)
            assert answer.headers["location"] == expected, target


async def test_every_desk_page_sends_a_stranger_to_sign_in_and_changes_nothing(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    mint(database_url, Scope.ADMIN)
    public = {"/desk", "/desk/sign-in"}
    walked = set()
    routes = [r for router in ROUTERS for r in router.routes]
    async with running(make_settings()) as (client, _):
        for route in routes:
            if not isinstance(route, APIRoute) or not route.path.startswith("/desk"):
                continue
            assert not route.include_in_schema, route.path
            if route.path in public:
                continue
            path = route.path.replace("{event_id}", "1").replace("{record_id}", "1")
            path = path.replace("{article_id}", "1").replace("{process_id}", "1")
            for method in route.methods:
                answer = await client.request(method, path, data={"verdict": "rejected"})
                assert answer.status_code == 303, (method, path)
                assert answer.headers["location"].startswith("/desk/sign-in"), (method, path)
                walked.add(f"{method} {route.path}")
        static = await client.get("/desk/static/desk.css")
    assert {"GET /desk/events", "POST /desk/records/{record_id}/review"} <= walked
    assert static.status_code == 200
