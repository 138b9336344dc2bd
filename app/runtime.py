"""The long-lived objects a process holds (engine, LLM client, extractor), built at start-up.

The API's lifespan and the CLI's commands open one `Runtime`; DBOS steps, which are plain
functions, reach it through `current()`.
"""

from dataclasses import dataclass

from openai import AsyncOpenAI
from sqlalchemy import Engine

from app.breaker import CircuitBreaker
from app.config import Settings
from app.db import make_engine
from app.extraction.protocol import Extractor


@dataclass
class Runtime:
    """What a Parley process needs to serve requests and run jobs."""

    settings: Settings
    engine: Engine
    extractor: Extractor
    breaker: CircuitBreaker
    openai: AsyncOpenAI | None = None


_current: Runtime | None = None


def build_extractor(settings: Settings, client: AsyncOpenAI | None) -> Extractor:
    """The extractor the settings ask for."""
    if settings.extractor == "rules":
        from app.extraction.rules import RulesExtractor

        return RulesExtractor()
    from app.extraction.llm import LLMExtractor, build_openai_client

    return LLMExtractor(settings, client or build_openai_client(settings))


def open_runtime(settings: Settings, *, extractor: Extractor | None = None) -> Runtime:
    """Build the process's runtime and make it current."""
    global _current
    client = None
    if extractor is None and settings.extractor == "llm":
        from app.extraction.llm import build_openai_client

        client = build_openai_client(settings)
    runtime = Runtime(
        settings=settings,
        engine=make_engine(settings.database_url, pool_size=settings.queue_concurrency + 10),
        extractor=extractor or build_extractor(settings, client),
        breaker=CircuitBreaker(
            settings.llm_breaker_threshold, settings.llm_breaker_cooldown_seconds
        ),
        openai=client,
    )
    _current = runtime
    return runtime


async def close_runtime(runtime: Runtime) -> None:
    """Release the runtime's connections."""
    global _current
    if runtime.openai is not None:
        await runtime.openai.close()
    runtime.engine.dispose()
    if _current is runtime:
        _current = None


def current() -> Runtime:
    """The runtime opened by this process."""
    if _current is None:
        raise RuntimeError("no Parley runtime is open in this process")
    return _current
