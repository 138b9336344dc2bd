"""Translate OpenAI SDK and instructor failures into `ExtractionError` (transient or not).

Transient (worth retrying later): rate limits, timeouts, connection failures, 408/409 and 5xx
answers. Permanent: other 4xx answers (bad request, authentication, permission, unknown model),
an exhausted quota, output cut off at the token limit, and output that never validated.
"""

from email.utils import parsedate_to_datetime

import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException

from app.errors import ExtractionError

_TRANSIENT_STATUSES = frozenset({408, 409})
_ERROR_SNIPPET = 500


def retry_after_seconds(response: object) -> float | None:
    """Seconds to wait from a `Retry-After` (or `retry-after-ms`) header, when present."""
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    value = headers.get("retry-after")
    try:
        if millis is not None:
            return max(float(millis) / 1000, 0.0)
        if value is not None:
            return max(float(value), 0.0)
    except ValueError:
        pass
    if value is None:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    response_date = headers.get("date")
    now = parsedate_to_datetime(response_date) if response_date else None
    return max((moment - now).total_seconds(), 0.0) if now else None


def _is_quota_exhausted(exc: openai.APIStatusError) -> bool:
    body = exc.body if isinstance(exc.body, dict) else {}
    return "insufficient_quota" in (exc.code, body.get("type"))


def _from_status(exc: openai.APIStatusError) -> ExtractionError:
    status = exc.status_code
    if isinstance(exc, openai.RateLimitError) and _is_quota_exhausted(exc):
        return ExtractionError(f"LLM quota exhausted (429): {exc.message}", transient=False)
    if isinstance(exc, openai.RateLimitError):
        return ExtractionError(
            f"LLM rate limit (429): {exc.message}",
            transient=True,
            retry_after=retry_after_seconds(exc.response),
        )
    if status >= 500 or status in _TRANSIENT_STATUSES:
        return ExtractionError(
            f"LLM endpoint error ({status}): {exc.message}",
            transient=True,
            retry_after=retry_after_seconds(exc.response),
        )
    return ExtractionError(f"LLM request rejected ({status}): {exc.message}", transient=False)


def _root_cause(exc: BaseException) -> BaseException:
    """Instructor wraps SDK errors raised during its retry loop; find the SDK's own."""
    while isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
        exc = exc.__cause__
    return exc


def to_extraction_error(exc: BaseException) -> ExtractionError:
    """The `ExtractionError` that describes an SDK or instructor failure."""
    cause = _root_cause(exc)
    if isinstance(cause, openai.APITimeoutError):
        return ExtractionError("LLM request timed out", transient=True)
    if isinstance(cause, openai.APIConnectionError):
        return ExtractionError(f"Cannot reach the LLM endpoint: {cause}", transient=True)
    if isinstance(cause, openai.APIStatusError):
        return _from_status(cause)
    if isinstance(cause, IncompleteOutputException):
        return ExtractionError(
            "The model's output was cut off at the token limit (PARLEY_LLM_MAX_TOKENS)",
            transient=False,
        )
    if isinstance(exc, InstructorRetryException):
        return not_validated(getattr(exc, "n_attempts", "?"), cause)
    return ExtractionError(f"LLM extraction failed: {cause}", transient=False)


def not_validated(attempts: object, cause: BaseException) -> ExtractionError:
    """The error of an answer that still did not validate after `attempts` attempts."""
    return ExtractionError(
        f"The model's output did not validate against the extraction schema after "
        f"{attempts} attempt(s): {str(cause)[:_ERROR_SNIPPET]}",
        transient=False,
    )
