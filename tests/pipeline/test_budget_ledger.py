"""The daily LLM token budget sums today's (UTC) extraction tokens from the database."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.articles.tables import Article
from app.db.engine import make_engine
from app.db.migrate import ensure_current
from app.pipeline.budget import TokenBudget
from app.records.tables import Extraction

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def spend(session: Session, at: datetime, prompt: int, completion: int) -> None:
    """Store an article and an extraction that spent these tokens at `at`."""
    article = Article(text=f"text at {at.isoformat()} {prompt}", status="done")
    session.add(article)
    session.flush()
    assert article.id is not None
    session.add(
        Extraction(
            article_id=article.id,
            extractor="llm",
            prompt_tokens=prompt,
            completion_tokens=completion,
            created_at=at,
        )
    )
    session.commit()


def test_budget_counts_only_todays_tokens(database_url: str) -> None:
    engine = make_engine(database_url)
    ensure_current(engine, auto_migrate=False)
    with Session(engine) as session:
        spend(session, NOON - timedelta(hours=13), 5_000, 500)  # yesterday, 23:00
        spend(session, NOON - timedelta(hours=11), 1_000, 200)  # today, 01:00
        spend(session, NOON, 300, 100)
        status = TokenBudget(2_000).status(session, now=NOON)
    engine.dispose()
    assert status.spent == 1_600
    assert status.allowed
    assert status.resets_at == datetime(2026, 3, 11, tzinfo=UTC)


def test_budget_spent_stops_spending_until_midnight(database_url: str) -> None:
    engine = make_engine(database_url)
    ensure_current(engine, auto_migrate=False)
    with Session(engine) as session:
        spend(session, NOON, 1_500, 500)
        budget = TokenBudget(2_000)
        exhausted_today = budget.allows(session, now=NOON + timedelta(hours=1))
        tomorrow = budget.allows(session, now=NOON + timedelta(days=1))
    engine.dispose()
    assert exhausted_today is False
    assert tomorrow is True


def test_no_budget_always_allows(database_url: str) -> None:
    engine = make_engine(database_url)
    ensure_current(engine, auto_migrate=False)
    with Session(engine) as session:
        spend(session, NOON, 10**9, 10**9)
        assert TokenBudget(None).allows(session, now=NOON)
    engine.dispose()
