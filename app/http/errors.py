"""One handler renders every error as `{"error": {"code", "message", "details"}}`."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from app.db.engine import DATABASE_UNREACHABLE
from app.errors import ParleyError, ServiceUnavailable
from app.http.schemas import ErrorOut

log = logging.getLogger(__name__)


_DESCRIPTIONS = {
    400: "Malformed JSON body.",
    401: "No API key, or a wrong one.",
    403: "The API key lacks the scope this route needs.",
    404: "No such resource.",
    409: "The resource is not in a state that allows this.",
    413: "The body or the text is over its limit.",
    415: "The fetched content type is not accepted.",
    422: "A value is missing or not acceptable; the message names it.",
    429: "Rate limited; see Retry-After.",
    502: "The upstream server failed.",
    503: "The database is unreachable; see Retry-After.",
    504: "The upstream server was too slow.",
}
GUARDED = (401, 403, 422, 429, 503)


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for error statuses, all with the one error shape."""
    return {code: {"model": ErrorOut, "description": _DESCRIPTIONS[code]} for code in codes}


def error_response(error: ParleyError) -> JSONResponse:
    """The JSON response for a Parley error."""
    body = {"error": {"code": error.code, "message": error.message, "details": error.details}}
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


def _describe(errors: list[dict[str, Any]]) -> tuple[str, int]:
    for err in errors:
        if err.get("type") == "json_invalid":
            reason = (err.get("ctx") or {}).get("error", "cannot parse")
            return f"malformed JSON body: {reason}", 400
    parts = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "invalid request", 422


async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [dict(e) for e in exc.errors()]
    message, status = _describe(errors)
    details = [{k: e.get(k) for k in ("loc", "msg", "type")} for e in errors]
    code = "malformed_json" if status == 400 else "invalid_input"
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status)


async def _parley(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ParleyError)
    return error_response(exc)


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    body = {"error": {"code": code, "message": str(exc.detail), "details": None}}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def database_unavailable(exc: Exception) -> ServiceUnavailable:
    """The 503 a request gets while the database cannot be reached."""
    log.warning("database unavailable: %s", exc.__class__.__name__)
    return ServiceUnavailable(
        "the database is unreachable; nothing was lost, try again shortly",
        headers={"Retry-After": "5"},
    )


async def _database(_: Request, exc: Exception) -> JSONResponse:
    return error_response(database_unavailable(exc))


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    body = {"error": {"code": "internal", "message": "internal error", "details": None}}
    return JSONResponse(body, status_code=500)


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(ParleyError, _parley)
    app.add_exception_handler(HTTPException, _http)
    for unreachable in DATABASE_UNREACHABLE:
        app.add_exception_handler(unreachable, _database)
    app.add_exception_handler(Exception, _unexpected)
