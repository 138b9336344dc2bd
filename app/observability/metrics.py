"""Prometheus metrics: the HTTP counters of one app and the pipeline's process-wide counters
(LLM calls, tokens, failures, breaker state).

Each app gets its own registry (tests build many apps); the pipeline's counters are
process-wide objects registered into every app's registry.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.registry import Collector

# The pipeline increments these; they are not bound to any registry until an app adopts them.
LLM_CALLS = Counter("parley_llm_calls", "LLM requests made.", registry=None)
LLM_TOKENS = Counter("parley_llm_tokens", "LLM tokens spent.", ["kind"], registry=None)
EXTRACTION_FAILURES = Counter(
    "parley_extraction_failures", "Extractions that failed, by reason.", ["reason"], registry=None
)
BREAKER_STATE = Gauge(
    "parley_llm_breaker_state", "LLM circuit breaker: 0 closed, 1 half-open, 2 open.", registry=None
)
EXTRACTIONS_BY_MODE = Counter(
    "parley_extractions", "LLM extractions by mode (sync or batch).", ["mode"], registry=None
)
TOKENS_BY_MODE = Counter(
    "parley_llm_mode_tokens", "LLM tokens by mode and kind.", ["mode", "kind"], registry=None
)
COST_BY_MODE = Counter(
    "parley_llm_cost_usd", "Estimated LLM spend in US dollars, by mode.", ["mode"], registry=None
)
BATCH_FALLBACKS = Counter(
    "parley_batch_fallbacks",
    "Batch-mode articles sent to the synchronous path, by reason.",
    ["reason"],
    registry=None,
)
BATCHES = Counter(
    "parley_llm_batches", "OpenAI batches that ended, by final status.", ["status"], registry=None
)
PIPELINE_METRICS: tuple[Collector, ...] = (
    LLM_CALLS,
    LLM_TOKENS,
    EXTRACTION_FAILURES,
    BREAKER_STATE,
    EXTRACTIONS_BY_MODE,
    TOKENS_BY_MODE,
    COST_BY_MODE,
    BATCH_FALLBACKS,
    BATCHES,
)


class HttpMetrics:
    """Request counter and latency histogram of one app."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "parley_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "parley_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            registry=registry,
        )


def build_registry(*collectors: Collector) -> tuple[CollectorRegistry, HttpMetrics]:
    """A registry holding one app's HTTP metrics, `collectors` and the pipeline's counters."""
    registry = CollectorRegistry(auto_describe=True)
    http = HttpMetrics(registry)
    for collector in collectors:
        registry.register(collector)
    for collector in PIPELINE_METRICS:
        registry.register(collector)
    return registry, http
