"""The API key table; only a key's hash is stored."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.db.types import timestamp


class ApiKey(SQLModel, table=True):
    """An API key; only its hash is stored."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str | None = Field(default=None, max_length=200)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=128, unique=True)
    scopes: str = Field(max_length=100)
    created_at: datetime = timestamp()
    revoked_at: datetime | None = timestamp(nullable=True)
    last_used_at: datetime | None = timestamp(nullable=True)


class DeskSession(SQLModel, table=True):
    """A person signed in to the desk with an API key: the cookie holds a random token, the
    table only its hash, the key it stands for and the session's CSRF token."""

    __tablename__ = "desk_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    key_id: int = Field(foreign_key="api_key.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = timestamp()
    expires_at: datetime = timestamp()
