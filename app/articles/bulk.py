"""Accepting articles in bulk: NDJSON lines, one `POST /v1/articles` payload each, taken in
batches, each batch one transaction (one duplicate lookup, one insert, one commit) and one job
that feeds its articles to the queue. `POST /v1/articles/bulk` and `parley ingest --bulk` both
go through `accept_ndjson`.

A bad line (bad JSON, schema error, too long, a URL the fetch policy refuses) is answered
`invalid` and spoils nothing else. Blank lines are skipped without a result (line numbers still
count them, so they match the file's). A batch is committed whole or not at all.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

import anyio
from pydantic import ValidationError
from sqlalchemy import Connection, insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, or_, select

from app.articles.accept import article_values
from app.articles.backlog import RETRY_AFTER_SECONDS, backlog_full
from app.articles.jobs import ExtractArticle, FeedArticles
from app.articles.lines import Cut, Line, read_lines
from app.articles.schemas import ArticleIn
from app.articles.tables import Article, ArticleStatus
from app.config import Settings
from app.db.types import utcnow
from app.errors import ParleyError, PayloadTooLarge, ServiceUnavailable
from app.services import Services

# A batch meeting a concurrent twin on a unique index is looked up again; this many times.
_TRIES = 3
# Awaited when the queue is full: True once there is room (the batch is tried again), False to
# stop there. The route has none (it answers with the line to resume from); the CLI waits.
WaitForRoom = Callable[[], Awaitable[bool]]
_EMPTY_ROW = dict.fromkeys(c.key for c in Article.__table__.columns if c.key != "id")  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Outcome:
    """What became of one line: `created`, `duplicate` (of article `id`) or `invalid`."""

    line: int
    result: str
    id: int | None = None
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The line's result as the stream carries it."""
        if self.error is not None:
            return {"line": self.line, "result": self.result, "error": self.error}
        return {"line": self.line, "result": self.result, "id": self.id}


@dataclass(frozen=True)
class Stopped:
    """Why the upload stopped before its end; lines from `next_line` on were not accepted."""

    error: ParleyError
    next_line: int

    def as_json(self) -> dict[str, Any]:
        """The stream's last line, in the API's error shape."""
        details = {"next_line": self.next_line, **(self.error.details or {})}
        return {
            "error": {"code": self.error.code, "message": self.error.message, "details": details}
        }


@dataclass
class _Draft:
    """A valid line's article row, not stored yet (its id once inserted)."""

    line: int
    row: dict[str, Any]
    id: int | None = None

    def keys(self) -> list[tuple[str, str]]:
        """What makes another article its duplicate: the text's fingerprint, the URL."""
        text_hash, url = self.row["text_hash"], self.row["posted_url"]
        return [("text", text_hash)] * bool(text_hash) + [("url", url)] * bool(url)

    def job(self) -> ExtractArticle:
        """The extraction job of the inserted article."""
        assert self.id is not None, "insert the article before sending its job"
        row = self.row
        batch = row["extraction_mode"] == "batch"
        return ExtractArticle(self.id, row["job_key"], 0, not row["text"], batch, row["job_group"])


def form_groups(drafts: Sequence[_Draft], size: int) -> None:
    """Put the drafts that a synchronous extraction will read as they are (text, mode "sync")
    in groups of `size`, in order: each group is one workflow (`app.pipeline.groups`), named
    after its first article's job key. A size of 1 groups nothing."""
    members = [d for d in drafts if d.row["text"] and d.row["extraction_mode"] == "sync"]
    for draft in drafts:
        draft.row["job_group"] = None
    if size <= 1:
        return
    for start in range(0, len(members), size):
        group = members[start : start + size]
        if len(group) < 2:
            continue
        for draft in group:
            draft.row["job_group"] = f"group-{group[0].row['job_key']}"


def parse_line(line: Line, settings: Settings, now: datetime) -> _Draft | Outcome:
    """A line as an article row to accept, or why it is invalid."""
    if line.data is None:
        return Outcome(
            line.number,
            "invalid",
            error=f"line is {line.size} bytes; the limit is {settings.max_body_bytes}",
        )
    try:
        values = article_values(ArticleIn.model_validate_json(line.data), settings)
    except ValidationError as exc:
        return Outcome(line.number, "invalid", error=_reasons(exc))
    except ParleyError as exc:
        return Outcome(line.number, "invalid", error=exc.message)
    # Built as a plain row: an `Article` model costs more than the rest of accepting it.
    status = {"status": ArticleStatus.QUEUED, "attempts": 0, "job_key": uuid4().hex}
    times = {"created_at": now, "updated_at": now}
    return _Draft(line.number, _EMPTY_ROW | values | status | times)


def _reasons(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
    return "; ".join(parts)


def _known(session: Session, drafts: Sequence[_Draft]) -> dict[tuple[str, str], int]:
    """Stored article ids by text fingerprint and by URL (canonical or posted), in one query."""
    hashes = {d.row["text_hash"] for d in drafts if d.row["text_hash"]}
    urls = {d.row["posted_url"] for d in drafts if d.row["posted_url"]}
    conditions = [col(Article.text_hash).in_(hashes)] if hashes else []
    if urls:
        conditions += [col(Article.canonical_url).in_(urls), col(Article.posted_url).in_(urls)]
    if not conditions:
        return {}
    query = select(Article.id, Article.text_hash, Article.canonical_url, Article.posted_url)
    known: dict[tuple[str, str], int] = {}
    for article_id, text_hash, canonical, posted in session.exec(query.where(or_(*conditions))):
        assert article_id is not None
        known.setdefault(("text", text_hash or ""), article_id)
        for url in (canonical, posted):
            if url:
                known.setdefault(("url", url), article_id)
    return known


def _insert(connection: Connection, drafts: Sequence[_Draft]) -> None:
    """Insert the drafts' rows in one statement, giving each its id (matched by job key: the
    rows a multi-row insert returns come in no promised order)."""
    table = Article.__table__  # type: ignore[attr-defined]
    returning = insert(table).returning(table.c.id, table.c.job_key)
    ids = dict((key, i) for i, key in connection.execute(returning, [d.row for d in drafts]))
    for draft in drafts:
        draft.id = ids[draft.row["job_key"]]


def accept_batch(
    session: Session, drafts: Sequence[_Draft], group_size: int = 1
) -> tuple[list[Outcome], list[_Draft]]:
    """Insert the drafts that duplicate nothing, stored or earlier in the batch (not
    committed), in groups of `group_size` for extraction; each draft's outcome, and the drafts
    inserted."""
    known: dict[tuple[str, str], int | _Draft] = dict(_known(session, drafts))
    targets: list[tuple[_Draft, int | _Draft]] = []
    fresh: list[_Draft] = []
    for draft in drafts:
        keys = draft.keys()
        found = next((known[k] for k in keys if k in known), None)
        if found is None:
            known.update(dict.fromkeys(keys, draft))
            fresh.append(draft)
        targets.append((draft, found or draft))
    if fresh:
        form_groups(fresh, group_size)
        _insert(session.connection(), fresh)
    return [_outcome(draft, target) for draft, target in targets], fresh


def _outcome(draft: _Draft, target: "int | _Draft") -> Outcome:
    if target is draft:
        return Outcome(draft.line, "created", draft.id)
    return Outcome(draft.line, "duplicate", target if isinstance(target, int) else target.id)


def commit_batch(services: Services, lines: Sequence[Line]) -> list[Outcome] | Stopped:
    """Accept one batch of lines in one transaction and feed its new articles to the queue;
    `Stopped` when the queue is full. Blocking (database)."""
    settings, now = services.settings, utcnow()
    parsed = [parse_line(line, settings, now) for line in lines]
    drafts = [p for p in parsed if isinstance(p, _Draft)]
    for attempt in range(_TRIES):
        try:
            with services.unit() as unit:
                if _queue_full(unit.session, settings):
                    return Stopped(_queue_full_error(settings), lines[0].number)
                accepted, fresh = accept_batch(unit.session, drafts, settings.group_size)
                if fresh:
                    unit.send(FeedArticles(tuple(d.job() for d in fresh)))
                unit.commit()
            break
        except (IntegrityError, OperationalError):
            # A twin accepted meanwhile, or (SQLite) a write lock held past the busy timeout:
            # the batch rolled back whole, so it is tried again whole.
            if attempt == _TRIES - 1:
                raise
    by_line = {o.line: o for o in accepted}
    return [p if isinstance(p, Outcome) else by_line[p.line] for p in parsed]


def _queue_full(session: Session, settings: Settings) -> bool:
    limit = settings.max_queued_articles
    return limit is not None and backlog_full(session, limit)


def _queue_full_error(settings: Settings) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"{settings.max_queued_articles} articles are waiting to be extracted; send the rest later",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def accept_ndjson(
    chunks: AsyncIterator[bytes], services: Services, room: WaitForRoom | None = None
) -> AsyncIterator[list[Outcome | Stopped]]:
    """Accept an NDJSON stream batch by batch; for each batch, one outcome per non-blank line,
    in order. A `Stopped` comes last when the stream passed `bulk_max_bytes` or the queue
    filled up (with `room`, only once `room()` gives up waiting for the queue to drain)."""
    settings = services.settings
    batch: list[Line] = []
    stop: Stopped | None = None
    lines = read_lines(chunks, line_cap=settings.max_body_bytes, total_cap=settings.bulk_max_bytes)
    async for line in lines:
        if isinstance(line, Cut):
            stop = Stopped(_too_large(settings), line.next_line)
            break
        if not line.blank:
            batch.append(line)
        if len(batch) >= settings.bulk_batch_lines:
            done, batch = await _commit(services, batch, room), []
            yield done
            if isinstance(done[-1], Stopped):
                return
    done = await _commit(services, batch, room) if batch else []
    if stop is not None and not (done and isinstance(done[-1], Stopped)):
        done.append(stop)
    if done:
        yield done


async def _commit(
    services: Services, batch: list[Line], room: WaitForRoom | None
) -> list[Outcome | Stopped]:
    while True:
        # Not abandoned when cancelled (Ctrl-C): a batch being committed is committed, then
        # reported.
        done = await anyio.to_thread.run_sync(commit_batch, services, batch)
        if not isinstance(done, Stopped):
            return list(done)
        if room is None or not await room():
            return [done]


def _too_large(settings: Settings) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the upload passed {settings.bulk_max_bytes} bytes (PARLEY_BULK_MAX_BYTES); "
        "send the rest in another upload"
    )
