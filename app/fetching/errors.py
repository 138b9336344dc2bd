"""Why a fetch failed, each with the HTTP status the API answers and whether to retry."""

from app.errors import ParleyError


class FetchError(ParleyError):
    """A URL could not be fetched; `transient` failures are worth retrying later."""

    status_code = 502
    code = "fetch_failed"
    default_transient = False

    def __init__(self, message: str, *, transient: bool | None = None):
        super().__init__(message)
        self.transient = self.default_transient if transient is None else transient


class ForbiddenURL(FetchError):
    """The URL is malformed, not http(s), carries credentials or points at a private address."""

    status_code = 422
    code = "forbidden_url"


class BodyTooLarge(FetchError):
    """The body, after decompression, is larger than the configured limit."""

    status_code = 413
    code = "body_too_large"


class UnsupportedContentType(FetchError):
    """The server answered with a content type we do not read (images, PDFs, ...)."""

    status_code = 415
    code = "unsupported_content_type"


class UpstreamError(FetchError):
    """The remote server failed, refused or could not be reached."""

    status_code = 502
    code = "upstream_error"


class FetchTimeout(FetchError):
    """The whole fetch, redirects included, took longer than the time limit."""

    status_code = 504
    code = "fetch_timeout"
    default_transient = True
