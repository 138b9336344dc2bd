"""The daily LLM token budget the pipeline consults before spending."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.records.tables import Extraction


@dataclass(frozen=True)
class BudgetStatus:
    """Today's LLM spending against the budget."""

    spent: int
    limit: int | None
    resets_at: datetime

    @property
    def allowed(self) -> bool:
        """Whether more LLM calls may be made today."""
        return self.limit is None or self.spent < self.limit


class TokenBudget:
    """The daily LLM token budget: tokens recorded on today's (UTC) extractions."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit

    def status(self, session: Session, now: datetime | None = None) -> BudgetStatus:
        """Tokens spent since midnight UTC, the limit, and when the budget resets."""
        now = now or datetime.now(UTC)
        midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        resets_at = midnight + timedelta(days=1)
        if self.limit is None:
            return BudgetStatus(spent=0, limit=None, resets_at=resets_at)
        total: Any = func.coalesce(
            func.sum(Extraction.prompt_tokens + Extraction.completion_tokens), 0
        )
        spent = session.exec(select(total).where(col(Extraction.created_at) >= midnight)).one()
        return BudgetStatus(spent=int(spent), limit=self.limit, resets_at=resets_at)

    def allows(self, session: Session, now: datetime | None = None) -> bool:
        """Whether an article may spend LLM tokens now."""
        return self.status(session, now).allowed
