"""`parley keys`: create, list and revoke API keys."""

from typing import Annotated

import typer

from app.auth.keys import Scope, create_key, list_keys, revoke_key
from app.commands import EXIT_FAILED, lifecycle, one_line_errors
from app.config import get_settings
from app.db.unit import transaction

keys_cli = typer.Typer(help="API keys (scopes: read, ingest, review, admin).")


@keys_cli.command("create")
def create(
    ctx: typer.Context,
    scope: Annotated[list[Scope], typer.Option(help="A scope the key grants; repeat for several.")],
    name: Annotated[str | None, typer.Option(help="What the key is for.")] = None,
) -> None:
    """Create a key and print it once, on the last line; only its hash is stored."""
    with (
        one_line_errors(),
        lifecycle(ctx).database(get_settings()) as engine,
        transaction(engine) as unit,
    ):
        new = create_key(unit.session, set(scope), name)
    scopes = new.row.scopes.replace(" ", ",")
    typer.echo(f"created key {new.row.id} (prefix {new.row.prefix}, scopes {scopes})")
    typer.echo("store it now; it cannot be shown again:")
    typer.echo(new.plaintext)


@keys_cli.command("list")
def list_(ctx: typer.Context) -> None:
    """List keys: id, prefix, scopes, state, name, created and last used."""
    with (
        one_line_errors(),
        lifecycle(ctx).database(get_settings(), create=False) as engine,
        transaction(engine) as unit,
    ):
        rows = list_keys(unit.session)
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
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The key's prefix (or numeric id).")],
) -> None:
    """Revoke a key; requests with it are refused at once."""
    with (
        one_line_errors(),
        lifecycle(ctx).database(get_settings(), create=False) as engine,
        transaction(engine) as unit,
    ):
        revoked = revoke_key(unit.session, key)
    if revoked is None:
        typer.echo(f"no active key {key}", err=True)
        raise typer.Exit(EXIT_FAILED)
    typer.echo(f"revoked key {revoked.id} (prefix {revoked.prefix})")
