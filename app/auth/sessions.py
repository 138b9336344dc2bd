"""Desk sessions: a person signs in with an API key once and the browser keeps a cookie.

The cookie holds a random token (256 bits), never the key; the table keeps the token's SHA-256,
the key it stands for, when it expires and the session's CSRF token (synchronizer pattern:
every form of the desk carries it). Every request re-reads the key, so a revoked key ends its
sessions at once; signing out deletes the row.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.auth import keys
from app.auth.tables import ApiKey, DeskSession
from app.db.types import as_utc, utcnow

COOKIE = "parley_session"


@dataclass(frozen=True)
class Opened:
    """A new session: its row and the only copy of the cookie's token."""

    row: DeskSession
    token: str


@dataclass(frozen=True)
class Signed:
    """A live session and the key it stands for."""

    row: DeskSession
    key: ApiKey


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(session: Session, key: ApiKey, hours: float) -> Opened:
    """Start a session for `key` lasting `hours` (flushed; the caller commits)."""
    assert key.id is not None
    token = secrets.token_urlsafe(32)
    row = DeskSession(
        token_hash=_hash(token),
        key_id=key.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    return Opened(row=row, token=token)


def find_session(session: Session, token: str | None) -> Signed | None:
    """The live session a cookie's token names: unexpired, its key not revoked."""
    if not token or len(token) > 128:
        return None
    found = session.exec(
        select(DeskSession, ApiKey)
        .join(ApiKey, col(ApiKey.id) == DeskSession.key_id)
        .where(DeskSession.token_hash == _hash(token))
    ).first()
    if found is None:
        return None
    row, key = found
    expires = as_utc(row.expires_at)
    if key.revoked_at is not None or expires is None or expires <= utcnow():
        return None
    return Signed(row=row, key=key)


def close_session(session: Session, token: str) -> None:
    """End the session a token names, and every expired one (the caller commits)."""
    session.exec(delete(DeskSession).where(col(DeskSession.token_hash) == _hash(token)))
    session.exec(delete(DeskSession).where(col(DeskSession.expires_at) <= utcnow()))


def key_scopes(key: ApiKey) -> frozenset[keys.Scope]:
    """What the session's key may do."""
    return keys.parse_scopes(key.scopes)
