"""The feed table: registered RSS/Atom feeds and how their polls went."""

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from app.db.types import timestamp


class Feed(SQLModel, table=True):
    """A registered RSS/Atom feed, polled on a schedule."""

    __tablename__ = "feed"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048, unique=True)
    title: str | None = Field(default=None, sa_column=Column(Text))
    every_seconds: int | None = None
    active: bool = True
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    last_polled_at: datetime | None = timestamp(nullable=True)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    items_new: int = 0
    items_duplicate: int = 0
    items_failed: int = 0
    created_at: datetime = timestamp()
