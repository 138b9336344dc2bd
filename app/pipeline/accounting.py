"""Accounting of an LLM extraction, synchronous or batch: its cost estimate and the counters
by mode that `/metrics` shows."""

import dataclasses

from app.config import Settings
from app.extraction.contract import ExtractionResult, Usage
from app.extraction.pricing import estimate_cost
from app.extraction.vocabulary import ExtractorName
from app.observability.metrics import COST_BY_MODE, EXTRACTIONS_BY_MODE, TOKENS_BY_MODE

SYNC, BATCH = "sync", "batch"


def account(result: ExtractionResult, settings: Settings, mode: str) -> ExtractionResult:
    """The result priced and labelled with its mode, counted by mode (LLM results only)."""
    if result.extractor != ExtractorName.LLM:
        return result
    EXTRACTIONS_BY_MODE.labels(mode).inc()
    cost = spend(result.usage, settings, mode)
    return dataclasses.replace(result, mode=mode, cost_usd=cost)


def spend(usage: Usage, settings: Settings, mode: str) -> float:
    """Count tokens and their estimated cost by mode, also for answers that were not used
    (a rejected batch answer was paid for); the cost."""
    cost = estimate_cost(usage, settings, batch=mode == BATCH)
    TOKENS_BY_MODE.labels(mode, "prompt").inc(usage.prompt_tokens)
    TOKENS_BY_MODE.labels(mode, "completion").inc(usage.completion_tokens)
    COST_BY_MODE.labels(mode).inc(cost)
    return cost
