"""Structured logs: one JSON object per line, a request id on every line logged while serving a
request, and bearer tokens and API keys redacted. Request and article bodies are never logged."""

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_SECRETS = re.compile(
    r"(?i)(bearer\s+)[^\s,;\"']+"
    r"|pk_[0-9a-f]{8}_[A-Za-z0-9_-]+"
    r"|(authorization[\"']?\s*[:=]\s*[\"']?)(?:bearer\s+)?[^\s,;\"']+"
)
REDACTED = "[REDACTED]"
# Attributes every LogRecord has; anything else was passed as `extra=` and is emitted.
# (uvicorn's `color_message` is its message again, with terminal colour codes.)
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",
}
_OURS = "parley_handler"


def redact(text: str) -> str:
    """`text` with bearer tokens, API keys and Authorization values replaced."""
    return _SECRETS.sub(lambda m: (m.group(1) or m.group(2) or "") + REDACTED, text)


class RedactingFilter(logging.Filter):
    """Redact secrets from the message and string extras; add the current request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for name, value in vars(record).items():
            if name not in _STANDARD and isinstance(value, str):
                setattr(record, name, redact(value))
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, then extras."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialise `record`."""
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


def _formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter()
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")


class _StderrHandler(logging.StreamHandler[Any]):
    """Writes to whatever `sys.stderr` is now, not the stream it was when configured (a
    command run in-process by a test gets a new stderr each time)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(log_format: str = "json", level: str = "INFO") -> None:
    """Install Parley's handler on the root logger (once) and format uvicorn's lines alike.

    Other handlers (pytest's, an operator's) are left in place.
    """
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, _OURS, False)), None)
    if handler is None:
        handler = _StderrHandler()
        setattr(handler, _OURS, True)
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    handler.setFormatter(_formatter(log_format))
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        for other in logging.getLogger(name).handlers:
            other.setFormatter(_formatter(log_format))
            if not any(isinstance(f, RedactingFilter) for f in other.filters):
                other.addFilter(RedactingFilter())
