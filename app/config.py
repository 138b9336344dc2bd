"""Every setting Parley reads, in one place (environment and `.env`)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, computed_field
from pydantic_settings import BaseSettings, SettingsConfigDict

InstructorMode = Literal["tools", "json_schema", "md_json"]
ExtractorName = Literal["llm", "rules"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Locate a bundled resource (prompts, migrations) from any working directory.

    An installed wheel carries them under `app/_resources`; a source checkout keeps them at the
    repository root, next to the `app` package.
    """
    bundled = _PACKAGE_DIR / "_resources" / name
    return bundled if bundled.exists() else _PACKAGE_DIR.parent / name


class Settings(BaseSettings):
    """Runtime configuration; variable names are `PARLEY_<FIELD>` unless stated otherwise."""

    model_config = SettingsConfigDict(
        env_prefix="PARLEY_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str = "sqlite:///./parley.db"
    dbos_database_url: str | None = Field(
        default=None,
        description="DBOS system database; default: a sibling SQLite file, or the same PostgreSQL.",
    )
    auto_migrate: bool = Field(
        default=False, description="Upgrade the schema on start instead of refusing to start."
    )

    # LLM endpoint: the OpenAI SDK's own variable names, so existing setups just work.
    openai_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "PARLEY_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "PARLEY_OPENAI_BASE_URL")
    )
    llm_model: str = "gpt-4o-mini"
    llm_mode: InstructorMode = "tools"
    llm_timeout_seconds: float = 60.0
    llm_sdk_retries: int = Field(default=2, ge=0, le=10)
    llm_reasks: int = Field(default=1, ge=0, le=3)
    llm_max_tokens: int = 4096
    chunk_chars: int = Field(default=40_000, ge=2_000)
    chunk_overlap_chars: int = Field(default=2_000, ge=0)
    extractor_choice: ExtractorName | None = Field(
        default=None, validation_alias=AliasChoices("PARLEY_EXTRACTOR")
    )
    relevance_gate: bool = True

    # -- the OpenAI Batch API (half price, answers within 24 h) --
    llm_batch: Literal["off", "auto"] = Field(
        default="off",
        description="`auto`: articles sent with mode `batch` are extracted through the OpenAI "
        "Batch API; `off`: every article goes through the synchronous path.",
    )
    llm_batch_max_articles: int = Field(
        default=2_000, ge=1, description="Articles one batch collects at most."
    )
    llm_batch_wait_seconds: float = Field(
        default=600.0,
        ge=0,
        description="How long the oldest waiting batch-mode article waits for more to fill a "
        "batch before a smaller one is sent.",
    )
    llm_batch_poll_seconds: float = Field(
        default=60.0, gt=0, description="How often a submitted batch's status is checked."
    )
    llm_batch_max_requests: int = Field(
        default=50_000, ge=1, description="Requests per batch input file (the API's limit)."
    )
    llm_batch_max_bytes: int = Field(
        default=200_000_000, ge=1_000, description="Bytes per batch input file (the API's limit)."
    )
    llm_price_input_per_mtok: float = Field(
        default=0.15, ge=0, description="US dollars per million prompt tokens (synchronous)."
    )
    llm_price_output_per_mtok: float = Field(
        default=0.60, ge=0, description="US dollars per million completion tokens (synchronous)."
    )

    # Queue: the LLM provider's limits.
    queue_concurrency: int = Field(default=4, ge=1)
    queue_rate_limit: int = Field(default=60, ge=1, description="LLM calls per rate period.")
    queue_rate_period_seconds: float = Field(default=60.0, gt=0)
    queue_poll_seconds: float = Field(
        default=0.1, gt=0, description="Polling interval of the extraction queues while busy."
    )
    queue_idle_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        description="Polling interval of the extraction queues once idle (`app.pipeline.pacing`): "
        "a job after a quiet spell waits up to this long. No longer than `queue_poll_seconds`: "
        "always polled at that pace.",
    )
    queue_idle_after_seconds: float = Field(
        default=10.0,
        gt=0,
        description="Seconds without a job before the queues poll at the idle pace.",
    )
    background_queue_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        description="Polling interval of the fetch, feeding and batch queues: each poll costs the "
        "same CPU and write lock whether work waits or not, and none is latency-critical.",
    )
    queue_group_size: int = Field(
        default=16,
        ge=1,
        description="Articles of a bulk upload extracted together by one workflow: its steps, "
        "checkpoints and queue poll are paid once per group (1: a workflow per article). A "
        "group makes one LLM call at a time; with the LLM, it is never larger than "
        "`queue_rate_limit`.",
    )
    job_max_attempts: int = Field(default=3, ge=1)
    sweep_interval_seconds: float = Field(
        default=60.0, gt=0, description="How often workers re-queue articles whose job is gone."
    )
    llm_breaker_threshold: int = Field(
        default=5, ge=1, description="Consecutive transient LLM failures that open the breaker."
    )
    llm_breaker_cooldown_seconds: float = Field(
        default=30.0, gt=0, description="How long an open breaker holds calls back."
    )
    job_retry_base_seconds: float = Field(default=2.0, ge=0)
    run_worker: bool = Field(default=True, description="Process the queue inside the API process.")
    worker_id: str = Field(default="local", description="Stable id of this queue worker.")

    # Input limits.
    max_text_chars: int = Field(default=200_000, ge=1)
    max_body_bytes: int = Field(default=2_000_000, ge=1)
    max_header_bytes: int = Field(
        default=32_768, ge=4_096, description="Largest request head (request line and headers)."
    )
    client_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long `serve` waits for a request, head and body, to arrive whole; a "
        "slower client is answered 408 and disconnected.",
    )
    max_connections: int = Field(
        default=1_000, ge=1, description="Open connections beyond which `serve` answers 503."
    )
    trusted_proxies: str = Field(
        default="",
        description="Addresses whose X-Forwarded-For/-Proto are believed (comma-separated, or *).",
    )
    max_queued_articles: int | None = Field(
        default=10_000, ge=1, description="Queued articles beyond which POSTs answer 503."
    )
    bulk_max_bytes: int = Field(
        default=500_000_000,
        ge=1,
        description="Largest body of one `POST /v1/articles/bulk` (each line is capped by "
        "PARLEY_MAX_BODY_BYTES, as one `POST /v1/articles` is).",
    )
    bulk_batch_lines: int = Field(
        default=500,
        ge=1,
        le=5_000,
        description="Lines of a bulk upload accepted per transaction (one duplicate lookup, "
        "one insert, one commit, one job feeding the batch to the queue).",
    )
    page_size_default: int = 50
    page_size_max: int = 500
    export_batch_size: int = Field(
        default=500, ge=1, le=10_000, description="Rows an export reads per transaction."
    )

    # -- fetching and feeds --
    fetch_allow_hosts: str = Field(
        default="", description="Internal `host` or `host:port` entries fetches may reach."
    )
    fetch_timeout_seconds: float = Field(
        default=20.0, gt=0, description="Time limit of one fetch, redirects included."
    )
    fetch_deadline_seconds: float = Field(
        default=45.0,
        gt=0,
        description="Time limit of an article's fetch, all its attempts and the waits between "
        "them included.",
    )
    fetch_concurrency: int = Field(
        default=4,
        ge=1,
        description="Article pages one worker process fetches at once, in slots of their own "
        "(a slow site never holds an extraction slot).",
    )
    fetch_max_bytes: int = Field(
        default=5_000_000, ge=1, description="Largest fetched body, after decompression."
    )
    fetch_max_redirects: int = Field(default=5, ge=0, le=20, description="Redirects followed.")
    feed_max_items: int = Field(default=200, ge=1, description="Items read from one feed.")
    feed_min_content_chars: int = Field(
        default=200,
        ge=0,
        description="Feed content shorter than this (in text characters) is a teaser: the "
        "item's page is fetched instead.",
    )
    feed_min_every_seconds: int = Field(
        default=60, ge=1, description="Shortest polling interval a feed may be registered with."
    )
    feed_poll_concurrency: int = Field(
        default=2, ge=1, description="Feed polls one worker process runs at once."
    )
    fetch_user_agent: str = Field(
        default="Parley/0.1 (news reader; conflict negotiation records)",
        description="User-Agent header sent with every fetch.",
    )

    # -- access, limits, observability --
    require_auth: bool = Field(
        default=False, description="Demand API keys even before the first key is created."
    )
    desk_session_hours: float = Field(
        default=12.0, gt=0, description="How long a desk sign-in lasts before it is asked again."
    )
    auth_cache_seconds: float = Field(
        default=2.0, ge=0, description="How long the 'does any API key exist' answer is reused."
    )
    rate_limit_per_minute: int | None = Field(
        default=3000, ge=1, description="Requests per minute per API key (or client IP when open)."
    )
    rate_limit_burst: int = Field(default=300, ge=1, description="Requests allowed in one burst.")
    llm_daily_token_budget: int | None = Field(
        default=None, ge=1, description="LLM tokens per UTC day; beyond it, articles wait."
    )
    idempotency_wait_seconds: float = Field(
        default=5.0, ge=0, description="How long a duplicate waits for the original's answer."
    )
    idempotency_ttl_hours: float = Field(
        default=24.0, gt=0, description="How long an Idempotency-Key is remembered."
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="Log lines as JSON objects or as plain text."
    )
    log_level: str = Field(default="INFO", description="Root log level.")
    shutdown_grace_seconds: float = Field(
        default=10.0,
        ge=0,
        description="On SIGTERM, how long open requests and running extractions may finish.",
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def extractor(self) -> ExtractorName:
        """The extractor in force: explicit choice, else `llm` when an endpoint is configured."""
        if self.extractor_choice is not None:
            return self.extractor_choice
        return "llm" if (self.openai_api_key or self.openai_base_url) else "rules"

    @property
    def group_size(self) -> int:
        """Articles per group: `queue_group_size`, no more than the LLM may be called per rate
        period (a group is started as one, and makes a call per article)."""
        if self.extractor == "llm":
            return min(self.queue_group_size, self.queue_rate_limit)
        return self.queue_group_size

    @property
    def is_sqlite(self) -> bool:
        """Whether the application database is SQLite."""
        return self.database_url.startswith("sqlite")

    @property
    def system_database_url(self) -> str:
        """Where DBOS keeps its workflow checkpoints and queues."""
        if self.dbos_database_url:
            return self.dbos_database_url
        if self.is_sqlite:
            base = self.database_url.removesuffix(".db")
            return f"{base}.dbos.db" if base != self.database_url else f"{base}-dbos"
        return self.database_url


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
