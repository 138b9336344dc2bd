"""The `parley` command: serve, worker, and the domain commands mounted under it.

The root callback puts the process lifecycle in the Typer context; every subcommand opens what
it needs through it (`commands.lifecycle(ctx)`), so tests can hand in another one.
"""

import asyncio
import math
import signal
from typing import Annotated, Any

import typer
from fastapi import FastAPI

from app.auth.cli import keys_cli
from app.commands import lifecycle, run
from app.config import Settings, get_settings
from app.db.cli import db_cli
from app.evaluation.cli import evaluate_command
from app.events.cli import events_cli
from app.feeds.cli import feeds_cli
from app.feeds.ingest import ingest
from app.lifecycle import ProcessLifecycle, drain
from app.records.cli import extract
from app.services import Lifecycle

cli = typer.Typer(help="Parley: records of negotiations, ceasefires and peace deals from news.")
cli.add_typer(db_cli, name="db")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(feeds_cli, name="feeds")
cli.add_typer(events_cli, name="events")
cli.command("ingest")(ingest)
cli.command("extract")(extract)
cli.command("eval")(evaluate_command)


@cli.callback()
def root(ctx: typer.Context) -> None:
    """Parley: records of negotiations, ceasefires and peace deals from news."""
    if ctx.obj is None:
        ctx.obj = ProcessLifecycle()


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="HTTP worker processes.")] = 1,
) -> None:
    """Run the HTTP API (and, unless PARLEY_RUN_WORKER=false, the extraction worker)."""
    import uvicorn

    from app.main import app as web

    # On SIGTERM uvicorn stops accepting and gives open requests the grace period; then the
    # running extractions get the same period before the app's lifespan shutdown.
    settings = get_settings()
    grace = math.ceil(settings.shutdown_grace_seconds)
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info"}
    options.update(front_end_limits(settings))
    if workers > 1:  # uvicorn's supervisor: extractions stop with the lifespan, unfinished
        uvicorn.run("app.main:app", workers=workers, timeout_graceful_shutdown=grace, **options)
        return
    config = uvicorn.Config(web, timeout_graceful_shutdown=grace, **options)
    _draining_server_class(web)(config).run()


def front_end_limits(settings: Settings) -> dict[str, Any]:
    """uvicorn options bounding what one client can hold: head size, time to send a request,
    connections, proxies.

    h11 rather than httptools: h11 caps the request head (400 beyond), httptools does not; and
    Parley's h11 protocol cuts clients that send too slowly (`app.http.client_deadline`).
    """
    from app.http.client_deadline import ClientDeadlineProtocol

    return {
        "http": ClientDeadlineProtocol,
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "limit_concurrency": settings.max_connections,
        "timeout_keep_alive": 5,
        # Forwarded headers are believed only from proxies the operator names.
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or None,
    }


def _draining_server_class(web: FastAPI) -> type:
    """uvicorn's Server, draining `web`'s job queue before the lifespan shutdown."""
    import uvicorn

    class DrainingServer(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            self.lifespan = _DrainFirst(self.lifespan, web)

    return DrainingServer


class _DrainFirst:
    """A lifespan whose shutdown first lets running extractions finish, off the event loop
    they run on (the app's lifespan would block that loop while it waits)."""

    def __init__(self, lifespan: Any, web: FastAPI) -> None:
        self._lifespan = lifespan
        self._web = web

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lifespan, name)

    async def shutdown(self) -> None:
        services = getattr(self._web.state, "services", None)
        if services is not None:
            await drain(services)
        await self._lifespan.shutdown()


@cli.command()
def worker(ctx: typer.Context) -> None:
    """Process the extraction queue until SIGTERM/SIGINT (run many against PostgreSQL)."""
    run(_work(lifecycle(ctx)))


async def _work(opened: Lifecycle) -> None:
    settings = get_settings()
    async with opened.running(settings, work=True) as services:
        typer.echo(
            f"parley worker {settings.worker_id} listening (extractor={services.extractor.name})"
        )
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        await stopping.wait()
        typer.echo(f"parley worker {settings.worker_id} stopping")
        await drain(services)


def main() -> None:
    """Entry point of the `parley` script."""
    cli()
