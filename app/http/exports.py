"""Exports: a list route answers CSV or NDJSON as well as JSON, streaming every matching row.

The format comes from `?format=json|csv|ndjson`, else from the `Accept` header (`text/csv`,
`application/x-ndjson`), else JSON; `format` wins over `Accept`. An export has no pages, so
`limit` and `cursor` are refused with it (422).

Rows are read in keyset batches in the JSON API's order. The first batch is read before the
answer starts, so bad filters and an unreachable database still get their 4xx/503; each batch's
read transaction is then ended before its bytes are handed on, so a slow client holds no
transaction and no pooled connection, and memory stays that of one batch. The request still owns
the session: FastAPI (0.118 and later) closes request-scoped `yield` dependencies only once the
streamed answer has been sent. The price is that an export is not one snapshot: like walking the
cursor pages, a row that moves in the order while the export runs may be missed or sent twice.

CSV: a header row, one documented column order per route, UTF-8, every cell quoted (RFC 4180,
stdlib `csv`), lists joined with "; ", null as an empty cell, booleans `true`/`false`. Cells
starting with a character that makes spreadsheets read a formula get a leading apostrophe
(OWASP, CSV Injection). NDJSON: one JSON object per line, exactly an item of the JSON answer.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlmodel import Session

from app.errors import InvalidInput

Row = TypeVar("Row")
Key = TypeVar("Key")
Item = TypeVar("Item", bound=BaseModel)

# OWASP's list (= + - @ tab CR) and ASVS 5's NUL; LF too, which some spreadsheets also strip.
FORMULA_LEADS = frozenset("=+-@\t\r\n\0")
LIST_SEPARATOR = "; "


class ExportFormat(StrEnum):
    """What a list route answers in: pages of JSON, or every match as CSV or NDJSON."""

    JSON = "json"
    CSV = "csv"
    NDJSON = "ndjson"


MEDIA_TYPES = {
    ExportFormat.JSON: "application/json",
    ExportFormat.CSV: "text/csv",
    ExportFormat.NDJSON: "application/x-ndjson",
}
_ORDER = tuple(ExportFormat)  # the preference between formats an Accept header ranks equally


def from_accept(header: str | None) -> ExportFormat:
    """The format an `Accept` header prefers. Each format takes the quality of the most specific
    range matching it (`text/csv` over `text/*` over `*/*`); the highest quality wins, then a
    type named over a wildcard, then JSON, CSV, NDJSON. JSON when none is acceptable (no 406)."""
    ruling: dict[ExportFormat, tuple[int, float]] = {}  # the ruling range's specificity, quality
    for media_range in (header or "").split(","):
        name, _, params = media_range.partition(";")
        quality = _quality(params)
        for fmt in ExportFormat:
            level = _specificity(name.strip().lower(), MEDIA_TYPES[fmt])
            if quality is None or level is None:
                continue
            if (level, quality) > ruling.get(fmt, (-1, 0.0)):
                ruling[fmt] = (level, quality)
    if not ruling:
        return ExportFormat.JSON
    ranked = ((q, level, -_ORDER.index(f), f) for f, (level, q) in ruling.items())
    quality, _, _, fmt = max(ranked)
    return fmt if quality > 0 else ExportFormat.JSON


def _specificity(media_range: str, media_type: str) -> int | None:
    if media_range == media_type:
        return 2
    if media_range == media_type.split("/")[0] + "/*":
        return 1
    return 0 if media_range == "*/*" else None


def _quality(params: str) -> float | None:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return None
            return quality if 0 <= quality <= 1 else None
    return 1.0


def requested_format(
    request: Request,
    response: Response,
    fmt: Annotated[
        ExportFormat | None,
        Query(
            alias="format",
            description="json (default), csv or ndjson: every matching row, streamed, no pages. "
            "Wins over the Accept header (text/csv, application/x-ndjson).",
        ),
    ] = None,
) -> ExportFormat:
    """The format a list route answers in: `?format=`, else `Accept`, else JSON (whose answer
    then says it varies with `Accept`, for caches)."""
    response.headers["Vary"] = "Accept"
    return fmt if fmt is not None else from_accept(request.headers.get("accept"))


ExportFormatDep = Annotated[ExportFormat, Depends(requested_format)]


def refuse_paging(fmt: ExportFormat, *, limit: int | None, cursor: str | None) -> None:
    """A 422 for `limit` or `cursor` given with an export: exports have no pages."""
    given = [name for name, value in (("limit", limit), ("cursor", cursor)) if value is not None]
    if given:
        raise InvalidInput(
            f"{' and '.join(given)} page JSON answers; a {fmt} export streams every matching "
            "row: leave them out",
            details={"refused": given, "format": str(fmt)},
        )


@dataclass(frozen=True)
class Column:
    """A CSV column: its header and its value in an item's JSON form."""

    name: str
    value: Callable[[dict[str, Any]], Any]


def field(name: str) -> Column:
    """The column of a top-level field of the item, under its own name."""
    return Column(name, lambda item: item[name])


def part_of(name: str, key: str, part: str) -> Column:
    """The column of `part` of the item's object `key` (empty when `key` is null)."""
    return Column(name, lambda item: item[key][part] if item[key] is not None else None)


def each(name: str, key: str, part: str) -> Column:
    """A list column: `part` of every entry of the item's list `key`, in the list's order."""
    return Column(name, lambda item: [entry[part] for entry in item[key]])


def cell(value: Any) -> str:
    """A JSON value as CSV text, guarded against formulas."""
    if isinstance(value, str):  # most cells
        text = value
    elif value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = LIST_SEPARATOR.join(cell(v) for v in value)
    else:
        text = str(value)
    return "'" + text if text[:1] in FORMULA_LEADS else text


def csv_chunks(
    columns: Sequence[Column], batches: Iterable[Sequence[BaseModel]]
) -> Iterator[bytes]:
    """The header row, then a chunk of rows per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([c.name for c in columns])
    yield _drain(buffer)
    for batch in batches:
        for item in batch:
            values = item.model_dump(mode="json")
            writer.writerow([cell(c.value(values)) for c in columns])
        if chunk := _drain(buffer):
            yield chunk


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def ndjson_chunks(batches: Iterable[Sequence[BaseModel]]) -> Iterator[bytes]:
    """A chunk of lines per batch: each item's JSON on a line of its own."""
    for batch in batches:
        if batch:
            yield b"".join(item.model_dump_json().encode() + b"\n" for item in batch)


@dataclass(frozen=True)
class Keyset(Generic[Row, Key, Item]):
    """How to walk a list in its API order: rows after a key, each row's key, rows as items."""

    fetch: Callable[[Key | None, int], Sequence[Row]]
    key: Callable[[Row], Key]
    items: Callable[[Sequence[Row]], Sequence[Item]]


def batches(
    session: Session, keyset: Keyset[Row, Key, Item], size: int
) -> Iterator[Sequence[Item]]:
    """Every row as items, `size` at a time. The first batch is read now, before any answer;
    after each batch the read transaction ends and the session forgets its rows."""
    rows = keyset.fetch(None, size)

    def walk(rows: Sequence[Row]) -> Iterator[Sequence[Item]]:
        while True:
            items = keyset.items(rows)
            last = keyset.key(rows[-1]) if len(rows) == size else None
            release(session)
            yield items
            if last is None:
                return
            rows = keyset.fetch(last, size)

    return walk(rows)


def release(session: Session) -> None:
    """End a read-only transaction: its connection goes back to the pool, its rows are let go."""
    session.expunge_all()
    session.rollback()


def export_response(
    fmt: ExportFormat, name: str, columns: Sequence[Column], items: Iterable[Sequence[BaseModel]]
) -> StreamingResponse:
    """The streamed answer, offered to browsers as a download named `name.csv|.ndjson`."""
    body = csv_chunks(columns, items) if fmt is ExportFormat.CSV else ndjson_chunks(items)
    media_type = "text/csv; charset=utf-8; header=present" if fmt is ExportFormat.CSV else None
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"', "Vary": "Accept"}
    return StreamingResponse(body, media_type=media_type or MEDIA_TYPES[fmt], headers=headers)


def export_responses(item_schema: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: the 200 of a list route also comes as CSV and as NDJSON."""
    return {
        200: {
            "description": f"A page of items as JSON; or, with format=csv|ndjson or Accept, "
            f"every matching item streamed: CSV (header row, columns in the README) or NDJSON "
            f"(one {item_schema} per line).",
            "content": {
                MEDIA_TYPES[ExportFormat.CSV]: {"schema": {"type": "string"}},
                MEDIA_TYPES[ExportFormat.NDJSON]: {
                    "itemSchema": {"$ref": f"#/components/schemas/{item_schema}"}
                },
            },
        }
    }
