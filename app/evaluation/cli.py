"""`parley eval --gold FILE`: score an extractor against hand-coded gold records."""

from pathlib import Path
from typing import Annotated

import typer

from app.commands import lifecycle, run
from app.config import ExtractorName, Settings, get_settings
from app.evaluation.command import Evaluation, evaluate, render
from app.services import Lifecycle

EXTRACTORS: tuple[ExtractorName, ...] = ("rules", "llm")


async def _evaluate(
    opened: Lifecycle, settings: Settings, gold: Path, json_out: Path | None
) -> Evaluation:
    async with opened.extracting(settings) as extractor:
        return await evaluate(gold, extractor, json_out)


def evaluate_command(
    ctx: typer.Context,
    gold: Annotated[
        Path,
        typer.Option("--gold", help="Gold JSONL file (shared/corpus format) or YAML case table."),
    ],
    extractor: Annotated[
        str | None, typer.Option(help="rules or llm; default: the configured extractor.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the full report as JSON here.")
    ] = None,
) -> None:
    """Score an extractor against hand-coded gold records (precision, recall, F1)."""
    if extractor is not None and extractor not in EXTRACTORS:
        raise typer.BadParameter("use rules or llm", param_hint="--extractor")
    if not gold.is_file():
        raise typer.BadParameter(f"{gold} is not a file", param_hint="--gold")
    settings = get_settings()
    if extractor is not None:
        chosen: ExtractorName = "llm" if extractor == "llm" else "rules"
        settings = settings.model_copy(update={"extractor_choice": chosen})
    result = run(_evaluate(lifecycle(ctx), settings, gold, json_out))
    typer.echo(render(result))
