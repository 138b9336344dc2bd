"""Backpressure: once too many articles wait, new ones are refused with 503 and Retry-After
instead of being accepted into a backlog that would take hours to drain."""

from typing import Annotated

from fastapi import Depends
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.articles.tables import Article, ArticleStatus
from app.errors import ServiceUnavailable
from app.http.deps import SessionDep, SettingsDep

RETRY_AFTER_SECONDS = 30


def backlog_full(session: Session, limit: int) -> bool:
    """Whether `limit` or more articles wait in the queue (reads at most `limit` index rows)."""
    waiting = (
        select(Article.id)
        .where(col(Article.status) == ArticleStatus.QUEUED)
        .offset(limit - 1)
        .limit(1)
    )
    return session.exec(waiting).first() is not None


def queued_count(session: Session) -> int:
    """How many articles wait in the queue (what `backlog_full` compares with its limit)."""
    waiting = select(func.count()).where(col(Article.status) == ArticleStatus.QUEUED)
    return int(session.exec(waiting).one())


def ensure_room(session: SessionDep, settings: SettingsDep) -> None:
    """Route dependency: 503 with Retry-After while the queue holds its maximum."""
    limit = settings.max_queued_articles
    if limit is not None and backlog_full(session, limit):
        raise ServiceUnavailable(
            f"{limit} articles are waiting to be extracted; send more later",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


QueueRoom = Annotated[None, Depends(ensure_room)]
