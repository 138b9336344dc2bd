"""The article table and the states an article's extraction goes through."""

from datetime import datetime
from enum import StrEnum
from uuid import uuid4

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from app.db.types import enum_column, timestamp


class ArticleStatus(StrEnum):
    """Where an article's extraction stands."""

    QUEUED = "queued"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        """Whether the extraction has ended, for better or worse."""
        return self in (ArticleStatus.DONE, ArticleStatus.FAILED)


class Article(SQLModel, table=True):
    """An article a newsroom sent, its text and where its extraction stands."""

    __tablename__ = "article"

    id: int | None = Field(default=None, primary_key=True)
    status: ArticleStatus = Field(
        default=ArticleStatus.QUEUED, sa_column=enum_column(ArticleStatus, 16, index=True)
    )
    error: str | None = Field(default=None, sa_column=Column(Text))
    title: str | None = Field(default=None, sa_column=Column(Text))
    url: str | None = Field(default=None, sa_column=Column(Text))
    canonical_url: str | None = Field(default=None, max_length=2048, unique=True)
    # The canonical form of the URL the article was sent as (posted, or listed in a feed): the
    # page may declare another `canonical_url`, and the same URL sent again is still this one.
    posted_url: str | None = Field(default=None, max_length=2048, unique=True, index=True)
    source: str | None = Field(default=None, max_length=300)
    published_at: datetime | None = timestamp(nullable=True)
    author: str | None = Field(default=None, max_length=500)
    site_name: str | None = Field(default=None, max_length=300)
    language: str | None = Field(default=None, max_length=16)
    text: str | None = Field(default=None, sa_column=Column(Text))
    text_hash: str | None = Field(default=None, max_length=64, unique=True)
    feed_id: int | None = Field(default=None, foreign_key="feed.id", index=True)
    # Set when a fetched page turns out to be an article we already have.
    duplicate_of: int | None = Field(default=None, foreign_key="article.id")
    attempts: int = 0
    # Names this article's jobs; unique even if the database is recreated beside an old queue.
    job_key: str = Field(default_factory=lambda: uuid4().hex, max_length=32)
    # How its extraction runs: "sync" (a job on the extraction queue) or "batch" (collected
    # into an OpenAI batch when PARLEY_LLM_BATCH=auto); a batch answer that fails validation
    # turns it back to "sync". `batch_key` names the batch workflow that claimed it.
    extraction_mode: str = Field(
        default="sync", max_length=8, sa_column_kwargs={"server_default": "sync"}
    )
    batch_key: str | None = Field(default=None, max_length=64, index=True)
    # Names the group workflow that extracts this article with others of its bulk upload
    # (`app.pipeline.groups`); cleared when the article is handed to a job of its own.
    job_group: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
