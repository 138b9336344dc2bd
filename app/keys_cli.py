"""`parley keys`: create, list and revoke API keys."""

from typing import Annotated

import typer
from sqlalchemy import Engine

from app.auth.keys import Scope, create_key, list_keys, revoke_key
from app.config import get_settings
from app.db import make_engine, transaction
from app.migrate import ensure_current

keys_cli = typer.Typer(help="API keys (scopes: read, ingest, admin).")


def _engine() -> Engine:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    ensure_current(engine, auto_migrate=settings.auto_migrate)
    return engine


@keys_cli.command("create")
def create(
    scope: Annotated[list[Scope], typer.Option(help="A scope the key grants; repeat for several.")],
    name: Annotated[str | None, typer.Option(help="What the key is for.")] = None,
) -> None:
    """Create a key and print it once, on the last line; only its hash is stored."""
    with transaction(_engine()) as session:
        new = create_key(session, set(scope), name)
    scopes = new.row.scopes.replace(" ", ",")
    typer.echo(f"created key {new.row.id} (prefix {new.row.prefix}, scopes {scopes})")
    typer.echo("store it now; it cannot be shown again:")
    typer.echo(new.plaintext)


@keys_cli.command("list")
def list_() -> None:
    """List keys: id, prefix, scopes, state, name, created and last used."""
    with transaction(_engine()) as session:
        rows = list_keys(session)
    typer.echo("id\tprefix\tscopes\tstate\tname\tcreated\tlast_used")
    for key in rows:
        state = "revoked" if key.revoked_at else "active"
        used = key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "-"
        created = key.created_at.isoformat(timespec="seconds")
        scopes = key.scopes.replace(" ", ",")
        typer.echo(
            f"{key.id}\t{key.prefix}\t{scopes}\t{state}\t{key.name or '-'}\t{created}\t{used}"
        )


@keys_cli.command("revoke")
def revoke(
    key: Annotated[str, typer.Argument(help="The key's prefix (or numeric id).")],
) -> None:
    """Revoke a key; requests with it are refused at once."""
    with transaction(_engine()) as session:
        revoked = revoke_key(session, key)
    if revoked is None:
        typer.echo(f"no active key {key}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"revoked key {revoked.id} (prefix {revoked.prefix})")
