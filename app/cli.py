"""The `parley` command: serve, worker, extract, eval, db."""

import asyncio
import json
import math
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from app.config import get_settings
from app.errors import ParleyError
from app.feeds_cli import feeds_cli, ingest
from app.keys_cli import keys_cli

cli = typer.Typer(help="Parley: records of negotiations, ceasefires and peace deals from news.")
db_cli = typer.Typer(help="Database schema.")
cli.add_typer(db_cli, name="db")
cli.add_typer(keys_cli, name="keys")
cli.add_typer(feeds_cli, name="feeds")
cli.command("ingest")(ingest)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="HTTP worker processes.")] = 1,
) -> None:
    """Run the HTTP API (and, unless PARLEY_RUN_WORKER=false, the extraction worker)."""
    import uvicorn

    # On SIGTERM uvicorn stops accepting and gives open requests the grace period; then the
    # running extractions get the same period before the app's lifespan shutdown.
    grace = math.ceil(get_settings().shutdown_grace_seconds)
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info"}
    if workers > 1:  # uvicorn's supervisor: extractions stop with the lifespan, unfinished
        uvicorn.run("app.main:app", workers=workers, timeout_graceful_shutdown=grace, **options)
        return
    config = uvicorn.Config("app.main:app", timeout_graceful_shutdown=grace, **options)
    _draining_server_class()(config).run()


def _draining_server_class() -> type:
    """uvicorn's Server, draining the job queue before the lifespan shutdown."""
    import uvicorn

    class DrainingServer(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            self.lifespan = _DrainFirst(self.lifespan)

    return DrainingServer


class _DrainFirst:
    """A lifespan whose shutdown first lets running extractions finish, off the event loop
    they run on (the app's lifespan would block that loop while it waits)."""

    def __init__(self, lifespan: Any) -> None:
        self._lifespan = lifespan

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lifespan, name)

    async def shutdown(self) -> None:
        from app import jobs

        await asyncio.to_thread(jobs.stop)
        await self._lifespan.shutdown()


@cli.command()
def worker() -> None:
    """Process the extraction queue until SIGTERM/SIGINT (run many against PostgreSQL)."""
    asyncio.run(_work())


async def _work() -> None:
    from app import jobs, polling
    from app.migrate import ensure_current
    from app.runtime import close_runtime, open_runtime

    settings = get_settings()
    runtime = open_runtime(settings)
    ensure_current(runtime.engine, auto_migrate=settings.auto_migrate)
    await jobs.start(settings, work=True)
    await polling.sync_schedules(settings)
    await asyncio.to_thread(jobs.sweep, runtime.engine)
    typer.echo(f"parley worker {settings.worker_id} listening (extractor={runtime.extractor.name})")
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await stopping.wait()
    typer.echo(f"parley worker {settings.worker_id} stopping")
    await asyncio.to_thread(jobs.stop)
    await close_runtime(runtime)


@cli.command()
def extract(
    file: Annotated[Path, typer.Argument(help="Article text file, or - for standard input.")],
    title: Annotated[str | None, typer.Option(help="Article title.")] = None,
    published_at: Annotated[
        datetime | None, typer.Option(help="Publication date, anchors relative dates.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Publication name.")] = None,
) -> None:
    """Print an article's grounded, normalised records as JSON (no server, no database)."""
    from app.articles import as_utc
    from app.extraction.schemas import ArticleInput
    from app.records import prepare
    from app.runtime import build_extractor

    text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    settings = get_settings()
    article = ArticleInput(text, title, source, as_utc(published_at))
    with _expected_errors():
        result = asyncio.run(build_extractor(settings, None).extract(article))
    kept, dropped = prepare(result.records, text)
    output = {
        "extractor": result.extractor,
        "model": result.model,
        "prompt_version": result.prompt_version,
        "records": [
            {
                **p.record.model_dump(),
                "countries": p.countries,
                "evidence": [vars(q) for q in p.evidence],
            }
            for p in kept
        ],
        "dropped": [vars(d) for d in [*result.dropped, *dropped]],
    }
    typer.echo(json.dumps(output, ensure_ascii=False, indent=2))


@cli.command("eval")
def evaluate(
    gold: Annotated[Path, typer.Option("--gold", help="Gold JSONL file (shared/corpus format).")],
    extractor: Annotated[
        str | None, typer.Option(help="rules or llm; default: the configured extractor.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the full report as JSON here.")
    ] = None,
) -> None:
    """Score an extractor against hand-coded gold records (precision, recall, F1)."""
    from app.config import ExtractorName
    from app.evaluation.command import render_table, run_eval
    from app.runtime import build_extractor

    if extractor not in (None, "rules", "llm"):
        raise typer.BadParameter("use rules or llm", param_hint="--extractor")
    if not gold.is_file():
        raise typer.BadParameter(f"{gold} is not a file", param_hint="--gold")
    settings = get_settings()
    if extractor is not None:
        choice: ExtractorName = "llm" if extractor == "llm" else "rules"
        settings = settings.model_copy(update={"extractor_choice": choice})
    with _expected_errors():
        report = run_eval(gold, build_extractor(settings, None), json_out)
    typer.echo(render_table(report))


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations to PARLEY_DATABASE_URL."""
    from app.db import make_engine
    from app.migrate import current_revision, upgrade

    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    typer.echo(f"database at revision {current_revision(engine)}")


@db_cli.command("current")
def db_current() -> None:
    """Print the database's and the code's schema revisions."""
    from app.db import make_engine
    from app.migrate import current_revision, head_revision

    engine = make_engine(get_settings().database_url)
    typer.echo(f"database: {current_revision(engine)}  code: {head_revision()}")


@contextmanager
def _expected_errors() -> Iterator[None]:
    """Say what went wrong in one line and exit 2, instead of a traceback."""
    try:
        yield
    except ParleyError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc


def main() -> None:
    """Entry point of the `parley` script."""
    cli()
