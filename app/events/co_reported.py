"""Events one article reports together. An article that recalls last year's truce in a story
of this week's talks tells that they belong to one process, up to `co_reported_days` apart
(tuning.toml; app.events.processes.linked still looks for another initiative)."""

from collections.abc import Collection
from itertools import combinations

from sqlmodel import Session, col, select

from app.records.tables import Record


def co_reported_pairs(session: Session, event_ids: Collection[int]) -> set[tuple[int, int]]:
    """The pairs (smaller id first) of `event_ids` that share an article."""
    rows = session.exec(
        select(Record.article_id, Record.event_id).where(col(Record.event_id).in_(event_ids))
    ).all()
    by_article: dict[int, set[int]] = {}
    for article_id, event_id in rows:
        if event_id is not None:
            by_article.setdefault(article_id, set()).add(event_id)
    return {(a, b) for events in by_article.values() for a, b in combinations(sorted(events), 2)}


def sharing_articles(session: Session, event_ids: Collection[int]) -> set[int]:
    """The events an article of one of `event_ids` also reports (`event_ids` among them)."""
    if not event_ids:
        return set()
    articles = select(Record.article_id).where(col(Record.event_id).in_(event_ids))
    found = select(Record.event_id).where(col(Record.article_id).in_(articles)).distinct()
    return {e for e in session.exec(found).all() if e is not None}
