"""NDJSON lines out of a byte stream: CRLF and a last line without newline are lines, a line
past its cap is reported by its size, and the total cap cuts before the line that crosses it."""

from collections.abc import AsyncIterator

from app.articles.lines import Cut, Line, read_lines


async def stream(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def lines(*chunks: bytes, line_cap: int = 100, total_cap: int = 1_000) -> list[Line | Cut]:
    read = read_lines(stream(*chunks), line_cap=line_cap, total_cap=total_cap)
    return [item async for item in read]


async def test_lines_split_across_chunks_with_crlf_and_no_final_newline() -> None:
    found = await lines(b'{"a"', b": 1}\r\n\n{", b'"b": 2}')

    assert found == [Line(1, b'{"a": 1}', 8), Line(2, b"", 0), Line(3, b'{"b": 2}', 8)]
    assert [isinstance(x, Line) and x.blank for x in found] == [False, True, False]


async def test_a_line_past_its_cap_is_reported_by_size_and_the_next_is_read() -> None:
    found = await lines(b"x" * 30, b"x" * 30 + b"\nok\n", line_cap=40)

    assert found == [Line(1, None, 60), Line(2, b"ok", 2)]


async def test_the_total_cap_cuts_before_the_line_that_crosses_it() -> None:
    found = await lines(b"one\ntwo\nthree\n", total_cap=10)

    assert found == [Line(1, b"one", 3), Line(2, b"two", 3), Cut(3)]
