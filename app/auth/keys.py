"""API keys: minting, hashing, looking up, listing and revoking.

A key reads `pk_<prefix>_<secret>`: the prefix (8 hex digits) is stored in clear so keys can be
listed and found by index; only the SHA-256 of the whole key is stored. The secret carries 256
random bits, so a plain hash (no salt, no slow KDF) cannot be brute-forced.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from app.auth.tables import ApiKey
from app.db.types import as_utc, utcnow

KEY_MARK = "pk"
PREFIX_LENGTH = 8
# Touching `last_used_at` on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class Scope(StrEnum):
    """What a key may do. `admin` implies the others; `ingest` and `review` do not imply
    `read`."""

    READ = "read"
    INGEST = "ingest"
    REVIEW = "review"
    ADMIN = "admin"


@dataclass(frozen=True)
class NewKey:
    """A freshly minted key: the stored row and the only copy of its plaintext."""

    row: ApiKey
    plaintext: str


def hash_key(plaintext: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def split_key(plaintext: str) -> tuple[str, str] | None:
    """The (prefix, secret) of a well-formed key, else None."""
    mark, sep, rest = plaintext.partition("_")
    prefix, sep2, secret = rest.partition("_")
    if mark != KEY_MARK or not sep or not sep2 or len(prefix) != PREFIX_LENGTH or len(secret) < 20:
        return None
    return prefix, secret


def grants(held: frozenset[Scope], needed: Scope) -> bool:
    """Whether keys holding `held` may act where `needed` is required."""
    return needed in held or Scope.ADMIN in held


def parse_scopes(stored: str) -> frozenset[Scope]:
    """The scopes of a stored key, ignoring names this version does not know."""
    known = {s.value for s in Scope}
    return frozenset(Scope(s) for s in stored.split() if s in known)


def create_key(session: Session, scopes: set[Scope], name: str | None = None) -> NewKey:
    """Mint a key with `scopes`; the caller commits and shows the plaintext once."""
    if not scopes:
        raise ValueError("a key needs at least one scope")
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    plaintext = f"{KEY_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        name=name,
        prefix=prefix,
        key_hash=hash_key(plaintext),
        scopes=" ".join(sorted(s.value for s in scopes)),
    )
    session.add(row)
    session.flush()
    return NewKey(row=row, plaintext=plaintext)


def find_key(session: Session, plaintext: str) -> ApiKey | None:
    """The live (unrevoked) key matching `plaintext`, compared in constant time."""
    parts = split_key(plaintext)
    if parts is None:
        return None
    presented = hash_key(plaintext)
    candidates = session.exec(select(ApiKey).where(ApiKey.prefix == parts[0])).all()
    for key in candidates:
        if hmac.compare_digest(key.key_hash, presented) and key.revoked_at is None:
            return key
    return None


def touch(session: Session, key: ApiKey) -> None:
    """Record that `key` was used, at most once per LAST_USED_RESOLUTION (the caller commits)."""
    now = utcnow()
    last = as_utc(key.last_used_at)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        key.last_used_at = now
        session.add(key)


def any_key_exists(session: Session) -> bool:
    """Whether any key was ever created; revoking every key does not reopen the API."""
    return session.exec(select(ApiKey.id).limit(1)).first() is not None


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, oldest first."""
    return list(session.exec(select(ApiKey).order_by(col(ApiKey.id))).all())


def revoke_key(session: Session, ident: str) -> ApiKey | None:
    """Revoke the key with this prefix (or numeric id); None when no live key matches."""
    query = select(ApiKey).where(col(ApiKey.revoked_at).is_(None))
    if len(ident) == PREFIX_LENGTH:
        query = query.where(ApiKey.prefix == ident)
    elif ident.isdigit():
        query = query.where(ApiKey.id == int(ident))
    else:
        return None
    key = session.exec(query).first()
    if key is None:
        return None
    key.revoked_at = utcnow()
    session.add(key)
    return key
