"""Exports' shared parts: choosing the format from `Accept`, CSV cells (quoting, lists, formula
guard) read back by the standard library, and batches that hold no transaction between them."""

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.db.engine import make_engine
from app.http.exports import (
    ExportFormat,
    Keyset,
    batches,
    cell,
    csv_chunks,
    each,
    field,
    from_accept,
    ndjson_chunks,
)


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, ExportFormat.JSON),
        ("", ExportFormat.JSON),
        ("*/*", ExportFormat.JSON),
        ("application/json", ExportFormat.JSON),
        ("text/csv", ExportFormat.CSV),
        ("TEXT/CSV; charset=utf-8", ExportFormat.CSV),
        ("application/x-ndjson", ExportFormat.NDJSON),
        ("text/*", ExportFormat.CSV),
        ("application/*", ExportFormat.JSON),
        ("text/csv, */*", ExportFormat.CSV),
        ("*/*, text/csv", ExportFormat.CSV),
        ("text/csv;q=0.5, application/json", ExportFormat.JSON),
        ("text/csv;q=0.9, application/x-ndjson;q=0.95", ExportFormat.NDJSON),
        ("text/csv;q=0, */*", ExportFormat.JSON),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ExportFormat.JSON),
        ("image/png", ExportFormat.JSON),
        ("text/csv;q=0", ExportFormat.JSON),
        ("text/csv;q=abc, application/x-ndjson", ExportFormat.NDJSON),
        ("text/csv;q=7", ExportFormat.JSON),
    ],
)
def test_the_accept_header_picks_the_format_json_when_it_names_none(
    accept: str | None, chosen: ExportFormat
) -> None:
    assert from_accept(accept) is chosen


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (None, ""),
        ("", ""),
        (True, "true"),
        (False, "false"),
        (12, "12"),
        (["SDN", "SSD"], "SDN; SSD"),
        ([], ""),
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        (["=1+1", "Qatar"], "'=1+1; Qatar"),
        ("Qatar; =1+1", "Qatar; =1+1"),
        ("a = b", "a = b"),
    ],
)
def test_a_cell_is_text_with_lists_joined_and_formulas_defused(value: object, written: str) -> None:
    assert cell(value) == written


class Item(BaseModel):
    id: int
    summary: str
    names: list[dict[str, str]]
    note: str | None


TRICKY = [
    Item(
        id=1, summary='comma, "quote", and\nnewline', names=[{"name": "Côte d'Ivoire"}], note=None
    ),
    Item(id=2, summary="停火 — Türkiye\r\nand Genève", names=[], note=""),
    Item(id=3, summary="=cmd|' /C calc'!A0", names=[{"name": "a;b"}, {"name": "c"}], note="x"),
]
COLUMNS = (field("id"), field("summary"), each("names", "names", "name"), field("note"))


def test_csv_chunks_read_back_by_the_csv_module_give_the_values() -> None:
    body = b"".join(csv_chunks(COLUMNS, [TRICKY[:2], TRICKY[2:]])).decode("utf-8")

    rows = list(csv.reader(io.StringIO(body, newline="")))

    assert rows == [
        ["id", "summary", "names", "note"],
        ["1", 'comma, "quote", and\nnewline', "Côte d'Ivoire", ""],
        ["2", "停火 — Türkiye\r\nand Genève", "", ""],
        ["3", "'=cmd|' /C calc'!A0", "a;b; c", "x"],
    ]


def test_every_csv_cell_is_quoted_so_a_semicolon_reading_spreadsheet_keeps_it_whole() -> None:
    body = b"".join(csv_chunks(COLUMNS, [TRICKY[2:]])).decode("utf-8")

    assert body.splitlines()[1] == '"3","\'=cmd|\' /C calc\'!A0","a;b; c","x"'


def test_ndjson_chunks_carry_each_item_whole_one_per_line() -> None:
    body = b"".join(ndjson_chunks([TRICKY[:2], [], TRICKY[2:]])).decode("utf-8")

    assert [Item.model_validate_json(line) for line in body.splitlines()] == TRICKY
    assert body.endswith("\n")


class Number(BaseModel):
    n: int


@pytest.fixture
def numbers(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'numbers.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE number (n INTEGER PRIMARY KEY)"))
        conn.execute(text("INSERT INTO number (n) VALUES (:n)"), [{"n": n} for n in range(1, 8)])
    yield engine
    engine.dispose()


def _keyset(session: Session, fetched: list[int | None]) -> Keyset[int, int, Number]:
    def fetch(after: int | None, size: int) -> Sequence[int]:
        fetched.append(after)
        sql = "SELECT n FROM number WHERE n < :after ORDER BY n DESC LIMIT :size"
        rows = session.execute(text(sql), {"after": after or 2**31, "size": size})
        return [n for (n,) in rows]

    return Keyset(fetch=fetch, key=lambda n: n, items=lambda rows: [Number(n=n) for n in rows])


@pytest.mark.parametrize(
    ("size", "expected"), [(3, [[7, 6, 5], [4, 3, 2], [1]]), (7, [[*range(7, 0, -1)], []])]
)
def test_batches_walk_every_row_once_in_order(
    numbers: Engine, size: int, expected: list[list[int]]
) -> None:
    with Session(numbers) as session:
        walked = [
            [item.n for item in batch] for batch in batches(session, _keyset(session, []), size)
        ]

    assert walked == expected


def test_the_first_batch_is_read_before_the_walk_starts(numbers: Engine) -> None:
    fetched: list[int | None] = []
    with Session(numbers) as session:
        walk = batches(session, _keyset(session, fetched), 3)

        assert fetched == [None]
        next(walk)
        assert fetched == [None]


def test_no_transaction_or_connection_is_held_while_a_batch_is_handed_on(numbers: Engine) -> None:
    held = []
    with Session(numbers) as session:
        for _ in batches(session, _keyset(session, []), 2):
            held.append((session.in_transaction(), numbers.pool.checkedout()))

    assert held == [(False, 0)] * 4
