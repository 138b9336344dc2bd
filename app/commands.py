"""What every `parley` command shares: the lifecycle it opens things with, and expected
failures as one line on stderr and exit 2, as usage errors do."""

import asyncio
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer

from app.db.migrate import SchemaOutdated
from app.errors import ParleyError
from app.services import Lifecycle

T = TypeVar("T")
EXIT_FAILED = 2


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Say what went wrong in one line and exit 2, instead of a traceback."""
    try:
        yield
    except (ParleyError, SchemaOutdated, OSError, UnicodeDecodeError) as exc:
        typer.echo(f"error: {getattr(exc, 'message', exc)}", err=True)
        raise typer.Exit(EXIT_FAILED) from None


def run(work: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine, its expected failures reported in one line."""
    with one_line_errors():
        return asyncio.run(work)


def lifecycle(ctx: typer.Context) -> Lifecycle:
    """The lifecycle the root command put in the context."""
    found = ctx.find_root().obj
    if not isinstance(found, Lifecycle):
        raise RuntimeError("run subcommands through the `parley` root command")
    return found
