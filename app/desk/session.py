"""Who is at the desk: the session cookie read on every desk route, and the CSRF token every
form of the desk must carry (synchronizer pattern: the token lives in the session row)."""

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, Request

from app.auth.guard import Principal
from app.auth.keys import Scope, grants, parse_scopes
from app.auth.sessions import COOKIE, find_session
from app.desk.render import SignInRequired
from app.errors import Forbidden, InvalidInput
from app.http.deps import SessionDep

_MAX_FIELDS = 2_000


@dataclass(frozen=True)
class DeskUser:
    """A signed-in person: the key they signed in with, and their session's CSRF token."""

    principal: Principal
    csrf: str

    @property
    def who(self) -> str:
        """The name history records: the key's name."""
        return self.principal.who

    def can(self, scope: str) -> bool:
        """Whether the key holds `scope` (admin holds every one)."""
        return grants(self.principal.scopes, Scope(scope))

    def require(self, scope: Scope) -> None:
        """A 403 page unless the key holds `scope`."""
        if not self.can(scope):
            raise Forbidden(f"your key lacks the '{scope.value}' scope this needs")


def current_user(request: Request, session: SessionDep) -> DeskUser:
    """The signed-in person; else the browser goes to the sign-in page."""
    signed = find_session(session, request.cookies.get(COOKIE))
    if signed is None:
        raise SignInRequired("sign in with your API key")
    key = signed.key
    principal = Principal(key_id=key.id, scopes=parse_scopes(key.scopes), key_name=key.name)
    user = DeskUser(principal=principal, csrf=signed.row.csrf_token)
    user.require(Scope.READ)
    request.state.desk_user = user
    return user


UserDep = Annotated[DeskUser, Depends(current_user)]


class Form:
    """A submitted form (`application/x-www-form-urlencoded`), read by field name."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields

    def get(self, name: str) -> str:
        """The field's first value, stripped ('' when absent)."""
        return (self.fields.get(name) or [""])[0].strip()

    def all(self, name: str) -> list[str]:
        """Every value the field was sent with."""
        return self.fields.get(name, [])


async def read_form(request: Request) -> Form:
    """The request's form fields (anything but a URL-encoded form reads as empty)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return Form({})
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        return Form(parse_qs(body, keep_blank_values=True, max_num_fields=_MAX_FIELDS))
    except ValueError as exc:
        raise InvalidInput(f"a form has at most {_MAX_FIELDS} fields") from exc


def same_token(sent: str, expected: str) -> bool:
    """Whether a form's token is the expected one (constant time)."""
    return bool(sent) and hmac.compare_digest(sent.encode(), expected.encode())


async def checked_form(request: Request, user: UserDep) -> Form:
    """The form of a signed-in person's POST, refused (403) without the session's CSRF token."""
    form = await read_form(request)
    if not same_token(form.get("csrf"), user.csrf):
        raise Forbidden(
            "this form has no valid security token (it is out of date, or was sent from "
            "another site): reload the page and try again"
        )
    return form


FormDep = Annotated[Form, Depends(checked_form)]
