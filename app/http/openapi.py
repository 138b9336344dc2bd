"""The OpenAPI document, completed with what FastAPI cannot infer from the routes: the bearer
scheme and who needs it, the `Idempotency-Key` request header, the headers errors carry, and
limits that come from settings."""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.config import Settings
from app.http.access import PUBLIC

BEARER = "bearer"
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the same POST again with the same key and get the first answer, "
    "not a second effect (kept 24 h; another body with the same key is a 422).",
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
}
_ERROR_HEADERS: dict[str, dict[str, Any]] = {
    "401": {
        "WWW-Authenticate": {
            "description": '`Bearer`, with `error="invalid_token"` when a key was refused.',
            "schema": {"type": "string"},
        }
    },
    "429": {
        "Retry-After": {
            "description": "Seconds until the rate limit lets this caller in again.",
            "schema": {"type": "integer"},
        }
    },
    "503": {
        "Retry-After": {
            "description": "Seconds after which the service expects to answer again.",
            "schema": {"type": "integer"},
        }
    },
}


def install(app: FastAPI, settings: Callable[[], Settings]) -> None:
    """Serve the completed document from `app.openapi()` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
            complete(document, settings())
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any], settings: Settings) -> None:
    """Add security, headers and settings-bound limits to a generated document."""
    components = document.setdefault("components", {})
    components["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `parley keys create` (scopes read, ingest, admin); "
            "required once any key exists, or when PARLEY_REQUIRE_AUTH is true.",
        }
    }
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            _complete_operation(path, method, operation, settings)


def _complete_operation(
    path: str, method: str, operation: dict[str, Any], settings: Settings
) -> None:
    if path not in PUBLIC:
        operation["security"] = [{BEARER: []}]
    if method == "post":
        operation.setdefault("parameters", []).append(dict(_IDEMPOTENCY_KEY))
    for status, response in operation.get("responses", {}).items():
        if status in _ERROR_HEADERS:
            response["headers"] = _ERROR_HEADERS[status]
    for parameter in operation.get("parameters", []):
        if parameter["name"] == "limit" and parameter["in"] == "query":
            _bound_limit(parameter, settings)


def _bound_limit(parameter: dict[str, Any], settings: Settings) -> None:
    schema = parameter["schema"]
    bounds = {"minimum": 1, "maximum": settings.page_size_max, "type": "integer"}
    # An optional parameter's schema is `anyOf: [integer, null]`: bound the integer branch.
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") == "integer":
            branch.update(bounds)
    parameter["description"] = f"Page size (default {settings.page_size_default})."
