"""Structured logs: one JSON object per line with a request id, secrets redacted, no bodies."""

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.auth.keys import Scope
from app.config import Settings
from app.db.engine import make_engine
from app.observability.logs import JsonFormatter, RedactingFilter, redact
from tests.support.app import serve
from tests.support.keys import bearer, mint

SECRET_TEXT = "Envoys quietly agreed on a prisoner swap near Kherson, sources said."


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict[str, object]]]]:
    """Everything logged while the test runs, as Parley's JSON handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)  # as Parley configures it; alone, a test would see WARNING
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_json_line_carries_level_logger_message_and_extras(
    log_lines: Callable[[], list[dict[str, object]]],
) -> None:
    logging.getLogger("parley.test").warning("feed %s failed", "bbc", extra={"feed_id": 7})
    (line,) = [entry for entry in log_lines() if entry["logger"] == "parley.test"]
    assert line["level"] == "WARNING"
    assert line["message"] == "feed bbc failed"
    assert line["feed_id"] == 7
    assert line["request_id"] is None
    assert str(line["ts"]).endswith("+00:00")


@pytest.mark.parametrize(
    ("raw", "leak"),
    [
        ("Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
        ("headers={'authorization': 'Bearer sk-live-123'}", "sk-live-123"),
        ("key pk_0a1b2c3d_Zx9-_yy7 refused", "Zx9-_yy7"),
        ("token=bearer   t0k3n", "t0k3n"),
    ],
)
def test_secrets_are_redacted(raw: str, leak: str) -> None:
    cleaned = redact(raw)
    assert leak not in cleaned
    assert "[REDACTED]" in cleaned


def test_redaction_applies_to_logged_arguments_and_extras(
    log_lines: Callable[[], list[dict[str, object]]],
) -> None:
    key = "pk_0a1b2c3d_" + "q" * 43
    logging.getLogger("parley.test").info("got %s", f"Bearer {key}", extra={"header": key})
    (line,) = [entry for entry in log_lines() if entry["logger"] == "parley.test"]
    assert key not in json.dumps(line)


async def test_request_id_is_echoed_and_stamped_on_the_access_line(
    make_settings: Callable[..., Settings],
    database_url: str,
    log_lines: Callable[[], list[dict[str, object]]],
) -> None:
    key = mint(database_url, Scope.INGEST)
    async with serve(make_settings(run_worker=False)) as client:
        given = await client.post(
            "/v1/articles",
            json={"text": SECRET_TEXT},
            headers=bearer(key) | {"X-Request-ID": "req-42.a"},
        )
        generated = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith tab"})
    assert given.headers["X-Request-ID"] == "req-42.a"
    assert len(generated.headers["X-Request-ID"]) == 32
    lines = log_lines()
    access = [e for e in lines if e["logger"] == "parley.access" and e["request_id"] == "req-42.a"]
    assert access[0]["route"] == "/v1/articles"
    assert access[0]["status"] == 202
    everything = json.dumps(lines)
    assert key not in everything
    assert SECRET_TEXT not in everything


async def test_a_request_id_carrying_a_key_is_replaced_and_never_logged(
    make_settings: Callable[..., Settings],
    log_lines: Callable[[], list[dict[str, object]]],
) -> None:
    key = "pk_0a1b2c3d_" + "q" * 43
    async with serve(make_settings(run_worker=False)) as client:
        answer = await client.get("/healthz", headers={"X-Request-ID": key})

    assert answer.headers["X-Request-ID"] != key
    assert key not in json.dumps(log_lines())


def test_database_errors_carry_no_bound_parameters(database_url: str) -> None:
    engine = make_engine(database_url)
    with pytest.raises(DBAPIError) as raised, engine.connect() as conn:
        conn.execute(text("INSERT INTO no_such_table (body) VALUES (:body)"), {"body": SECRET_TEXT})
    engine.dispose()

    assert SECRET_TEXT not in str(raised.value)


async def test_text_format_is_available(make_settings: Callable[..., Settings]) -> None:
    from app.observability.logs import configure_logging

    configure_logging("text", "INFO")
    ours = [h for h in logging.getLogger().handlers if getattr(h, "parley_handler", False)]
    record = logging.makeLogRecord({"msg": "hello", "levelname": "INFO", "name": "parley"})
    RedactingFilter().filter(record)
    assert "hello" in ours[0].format(record)
    assert not ours[0].format(record).startswith("{")
    configure_logging("json", "INFO")
