"""API shapes every route shares: the error body and the health answer."""

from typing import Any, Literal

from pydantic import BaseModel


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
