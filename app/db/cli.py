"""`parley db upgrade|current`: the database schema, from the shell."""

import typer

from app.commands import one_line_errors
from app.config import get_settings
from app.db.engine import make_engine
from app.db.migrate import current_revision, head_revision, upgrade

db_cli = typer.Typer(help="Database schema.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations to PARLEY_DATABASE_URL."""
    with one_line_errors():
        engine = make_engine(get_settings().database_url)
        try:
            upgrade(engine)
            typer.echo(f"database at revision {current_revision(engine)}")
        finally:
            engine.dispose()


@db_cli.command("current")
def db_current() -> None:
    """Print the database's and the code's schema revisions."""
    with one_line_errors():
        engine = make_engine(get_settings().database_url)
        try:
            typer.echo(f"database: {current_revision(engine)}  code: {head_revision()}")
        finally:
            engine.dispose()
