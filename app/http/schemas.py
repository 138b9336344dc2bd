"""API shapes every route shares: the error body, the health answer, text fit to store."""

import re
from typing import Any, Literal

from pydantic import BaseModel

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def storable_text(value: str) -> str:
    """A posted string fit to store, for field validators: NUL dropped, lone surrogates refused.

    PostgreSQL text cannot hold NUL, and no article needs one. A lone surrogate (JSON lets a
    client send `"\\udc00"`) is not a character: no encoding can carry it, so it would fail
    when hashed, stored or sent back; a `ValueError` names it instead.
    """
    found = _LONE_SURROGATE.search(value)
    if found is not None:
        code = ord(found.group())
        raise ValueError(f"lone surrogate U+{code:04X} at character {found.start()}: not Unicode")
    return value.replace("\x00", "")


class ErrorBody(BaseModel):
    """What went wrong, for people and programs."""

    code: str
    message: str
    details: Any = None


class ErrorOut(BaseModel):
    """Every error response has this shape."""

    error: ErrorBody


class Health(BaseModel):
    """Liveness and what the service runs with."""

    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]
    extractor: str
    version: str
