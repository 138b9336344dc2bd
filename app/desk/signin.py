"""Signing in to the desk with an API key, and out. The sign-in form is protected against
cross-site posting by a double-submit token (a cookie and a hidden field that must match)."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlmodel import Session

from app.auth.keys import Scope, find_key, grants, parse_scopes
from app.auth.sessions import COOKIE, close_session, open_session
from app.desk.render import DeskRoute, local_path, page, redirect
from app.desk.session import Form, FormDep, read_form, same_token
from app.http.deps import SettingsDep, UnitDep

router = APIRouter(route_class=DeskRoute, include_in_schema=False)
SIGN_IN_COOKIE = "parley_sign_in"


def _cookie(response: Response, request: Request, name: str, value: str, age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def _form(request: Request, message: str | None = None, status: int = 200) -> Response:
    token = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    after = local_path(request.query_params.get("next", "/desk/events"))
    response = page(
        request, "sign_in.html", status, csrf=token, next=after, message=message, user=None
    )
    _cookie(response, request, SIGN_IN_COOKIE, token, 3600)
    return response


@router.get("/desk")
def desk_home() -> Response:
    """The desk starts at the events."""
    return redirect("/desk/events")


@router.get("/desk/sign-in")
def sign_in_page(request: Request) -> Response:
    """The sign-in form."""
    return _form(request)


@router.post("/desk/sign-in")
def sign_in(
    request: Request,
    form: Annotated[Form, Depends(read_form)],
    unit: UnitDep,
    settings: SettingsDep,
) -> Response:
    """Exchange an API key for a session cookie."""
    if not same_token(form.get("csrf"), request.cookies.get(SIGN_IN_COOKIE, "")):
        return _form(request, "The form was out of date: please sign in again.", 403)
    key = find_key(unit.session, form.get("key"))
    if key is None:
        return _form(request, "That is not a valid API key.", 401)
    if not grants(parse_scopes(key.scopes), Scope.READ):
        return _form(request, "This key cannot read: ask for a key with the read scope.", 403)
    opened = open_session(unit.session, key, settings.desk_session_hours)
    unit.commit()
    response = redirect(local_path(form.get("next") or "/desk/events"))
    _cookie(response, request, COOKIE, opened.token, int(settings.desk_session_hours * 3600))
    response.delete_cookie(SIGN_IN_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.post("/desk/sign-out")
def sign_out(request: Request, form: FormDep, unit: UnitDep) -> Response:
    """End the session here and in the database."""
    _end(unit.session, request.cookies.get(COOKIE, ""))
    unit.commit()
    response = redirect("/desk/sign-in")
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


def _end(session: Session, token: str) -> None:
    if token:
        close_session(session, token)
