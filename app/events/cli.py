"""`parley events rebuild`: recompute every event and process from the records."""

import typer

from app.commands import lifecycle, one_line_errors
from app.config import get_settings
from app.events.rebuild import rebuild

events_cli = typer.Typer(help="Events (one development, many reports) and processes.")


@events_cli.command("rebuild")
def rebuild_command(ctx: typer.Context) -> None:
    """Re-attach every stored record to its event and regroup processes (after an upgrade, or
    after the tuning changed). Gives the same grouping as attaching records as they came."""
    with one_line_errors(), lifecycle(ctx).database(get_settings(), create=False) as engine:
        total = rebuild(engine, lambda done: typer.echo(f"attached {done} records", err=True))
    typer.echo(f"rebuilt events from {total} records")
