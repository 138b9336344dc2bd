"""Errors that carry their HTTP status; `app.http.errors` renders them all the same way."""

from typing import Any


class ParleyError(Exception):
    """Base of every error Parley raises on purpose."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers or {}


class NotFound(ParleyError):
    """The addressed resource does not exist."""

    status_code = 404
    code = "not_found"


class InvalidInput(ParleyError):
    """The request is well-formed but its values are not acceptable."""

    status_code = 422
    code = "invalid_input"


class PayloadTooLarge(ParleyError):
    """A body or a text exceeds its configured limit."""

    status_code = 413
    code = "payload_too_large"


class Conflict(ParleyError):
    """The request conflicts with the resource's current state."""

    status_code = 409
    code = "conflict"


class Unauthorized(ParleyError):
    """No valid API key was presented."""

    status_code = 401
    code = "unauthorized"


class Forbidden(ParleyError):
    """The API key lacks the scope this route needs."""

    status_code = 403
    code = "forbidden"


class TooManyRequests(ParleyError):
    """A rate limit was hit; `Retry-After` says when to come back."""

    status_code = 429
    code = "rate_limited"


class ServiceUnavailable(ParleyError):
    """A dependency (the database) is unreachable for now."""

    status_code = 503
    code = "unavailable"


class ExtractionError(ParleyError):
    """An extractor could not produce records; `transient` failures are worth retrying."""

    status_code = 502
    code = "extraction_failed"

    def __init__(self, message: str, *, transient: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after
