"""Accounting of an LLM extraction, synchronous or batch: its cost estimate and the counters
by mode that `/metrics` shows."""

import dataclasses

from app.config import Settings
from app.extraction.contract import ExtractionResult
from app.extraction.pricing import estimate_cost
from app.extraction.vocabulary import ExtractorName
from app.observability.metrics import COST_BY_MODE, EXTRACTIONS_BY_MODE, TOKENS_BY_MODE

SYNC, BATCH = "sync", "batch"


def account(result: ExtractionResult, settings: Settings, mode: str) -> ExtractionResult:
    """The result priced and labelled with its mode, counted by mode (LLM results only)."""
    if result.extractor != ExtractorName.LLM:
        return result
    cost = estimate_cost(result.usage, settings, batch=mode == BATCH)
    EXTRACTIONS_BY_MODE.labels(mode).inc()
    TOKENS_BY_MODE.labels(mode, "prompt").inc(result.usage.prompt_tokens)
    TOKENS_BY_MODE.labels(mode, "completion").inc(result.usage.completion_tokens)
    COST_BY_MODE.labels(mode).inc(cost)
    return dataclasses.replace(result, mode=mode, cost_usd=cost)
