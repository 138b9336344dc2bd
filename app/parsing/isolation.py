"""Parsers run in a child process, so a native crash or a runaway parse ends the child, not
Parley.

trafilatura and lxml can crash the interpreter when used from threads (trafilatura issues #840
and #925), and feedparser's regexes go quadratic on crafted input while holding the GIL. Each
parse therefore runs in a fresh process forked from a server that has the parsers imported
already (multiprocessing's forkserver, a few milliseconds a parse), with a hard time limit and
an address-space limit. The caller's thread waits on a pipe without holding the GIL, so the
service keeps answering while a hostile document is read.
"""

import multiprocessing
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from app.errors import InvalidInput, ParleyError

T = TypeVar("T")
PARSE_SECONDS = 20.0
PARSE_MEMORY_BYTES = 2 << 30
_PRELOAD = ["app.parsing.pages", "app.parsing.feeds"]
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(_PRELOAD)


class ParserFailed(InvalidInput):
    """The document could not be parsed: the parser crashed, ran out of time or memory."""

    code = "unparseable"


def isolated(
    parse: Callable[..., T],
    *args: Any,
    seconds: float = PARSE_SECONDS,
    memory_bytes: int = PARSE_MEMORY_BYTES,
) -> T:
    """`parse(*args)` in a child process; its exceptions are raised here, as they were."""
    receiver, sender = _context.Pipe(duplex=False)
    child = _context.Process(
        target=_run, args=(sender, parse, args, memory_bytes), daemon=True, name="parley-parse"
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise ParserFailed(f"gave up parsing the document after {seconds:g} s")
        ok, value = receiver.recv()
    except EOFError:
        child.join(1)
        raise ParserFailed(f"the parser crashed on this document (exit {child.exitcode})") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


def _run(sender: Connection, parse: Callable[..., Any], args: tuple[Any, ...], memory: int) -> None:
    """In the child: cap memory, parse, send back the result or the exception."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        outcome: tuple[bool, Any] = (True, parse(*args))
    except MemoryError:
        outcome = (False, ParserFailed("the document needs more memory than a parse may use"))
    except ParleyError as exc:
        outcome = (False, exc)
    except Exception as exc:  # a parser's own failure: the document is what it could not read
        outcome = (False, ParserFailed(f"could not parse the document: {type(exc).__name__}"))
    sender.send(outcome)
    sender.close()
