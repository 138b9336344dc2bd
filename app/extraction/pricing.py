"""What an extraction cost, estimated from its tokens and the configured price table.

The Batch API bills half the synchronous price for the same tokens.
"""

from app.config import Settings
from app.extraction.contract import Usage

BATCH_DISCOUNT = 0.5
_PER_TOKEN = 1e-6


def estimate_cost(usage: Usage, settings: Settings, *, batch: bool) -> float:
    """US dollars spent on `usage` at the configured prices (halved through the Batch API)."""
    full = (
        usage.prompt_tokens * settings.llm_price_input_per_mtok
        + usage.completion_tokens * settings.llm_price_output_per_mtok
    ) * _PER_TOKEN
    return round(full * (BATCH_DISCOUNT if batch else 1.0), 8)
