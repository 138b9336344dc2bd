"""Run `parley` commands in this process, as the shell would."""

import logging

from click.testing import Result
from typer.testing import CliRunner

from app.cli import cli


def parley(*args: str, stdin: bytes | None = None) -> Result:
    """Run `parley ARGS` as the shell would, in this process (`stdin`: what it reads there)."""
    # DBOS logs to the stderr of the first run; CliRunner closes that stream after each run.
    for handler in list(logging.getLogger("dbos").handlers):
        if getattr(getattr(handler, "stream", None), "closed", False):
            logging.getLogger("dbos").removeHandler(handler)
    return CliRunner().invoke(cli, list(args), input=stdin)
