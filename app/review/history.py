"""Writing and reading the history of changes."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from app.review.tables import Action, Change, Subject


def keep(
    session: Session,
    subject: Subject,
    subject_id: int,
    action: Action,
    actor: str,
    *,
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str | None,
) -> Change:
    """Append one change (flushed; the caller's transaction commits it with the change)."""
    change = Change(
        subject=subject,
        subject_id=subject_id,
        action=action,
        actor=actor,
        reason=reason,
        before=before,
        after=after,
    )
    session.add(change)
    session.flush()
    return change


def history(session: Session, subject: Subject, subject_id: int) -> Sequence[Change]:
    """Every change to one record or event, oldest first."""
    stmt = (
        select(Change)
        .where(Change.subject == subject)
        .where(Change.subject_id == subject_id)
        .order_by(col(Change.id))
    )
    return session.exec(stmt).all()
