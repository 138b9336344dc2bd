"""Rendering desk pages: one Jinja2 environment (autoescape on for every template), security
headers on every page, and the route class that turns errors into pages instead of JSON."""

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.desk.history import differences
from app.errors import ParleyError, Unauthorized
from app.normalize.countries import country_name

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
# Article text is data: no script, style or frame from anywhere but Parley itself, no inline
# script at all, forms only to Parley.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def web_link(url: str | None) -> str | None:
    """An article's address when it is a web address (never a `javascript:` one)."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


_env.globals.update(differences=differences, country_name=country_name, web_link=web_link)


class SignInRequired(Unauthorized):
    """No live desk session: the browser is sent to the sign-in page."""


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A rendered page; `user` (the signed-in person, or None) is always in the context."""
    context.setdefault("user", getattr(request.state, "desk_user", None))
    html = _env.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def redirect(url: str) -> RedirectResponse:
    """See other: after a form, the browser loads `url` with GET."""
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def local_path(target: str, default: str = "/desk/events") -> str:
    """A desk page to go to next, never another site (else `default`)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/desk/") or "\\" in target:
        return default
    return target


def sign_in_url(request: Request) -> str:
    """The sign-in page, coming back here afterwards (GET pages only)."""
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        back = "/desk"
    return f"/desk/sign-in?next={quote(back, safe='')}"


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """An error as a page, with the message and a way back."""
    return page(request, "error.html", status_code=status, status=status, message=message)


class DeskRoute(APIRoute):
    """Every error of a desk route is a page: sign-in first, the rest as an error page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return redirect(sign_in_url(request))
            except ParleyError as error:
                return error_page(request, error.status_code, error.message)
            except RequestValidationError:
                return error_page(request, 404, "There is no such page.")

        return handle
