"""API shapes of feeds: what clients send, and what a feed gave. The table lives in
`app.feeds.tables`."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.http.schemas import storable_text


class FeedIn(BaseModel):
    """A feed to ingest: its URL (fetched) or its XML (uploaded); `every` keeps polling it."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2048, description="RSS or Atom feed URL.")
    xml: str | None = Field(default=None, description="The feed document itself.")
    every: str | None = Field(
        default=None,
        max_length=16,
        description="Poll the URL on a schedule: 30s, 15m, 2h, 1d (cron-exact intervals).",
    )

    @field_validator("url", "xml", "every", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        # Before the type and length checks, which would only say "unable to parse" a surrogate.
        return storable_text(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_source(self) -> "FeedIn":
        if (self.url is None) == (self.xml is None):
            raise ValueError("give the feed's `url`, or its `xml`, not both")
        if self.every is not None and self.url is None:
            raise ValueError("`every` needs a `url` to poll")
        return self


class FeedIngested(BaseModel):
    """What a feed gave: items read, new articles, duplicates, failures, items over the cap."""

    feed_id: int | None = Field(description="The registered feed, when `every` was given.")
    title: str | None
    items: int
    new: int
    duplicate: int
    failed: int
    truncated: int = Field(description="Items beyond the per-feed cap, not read.")
    every: str | None
    new_ids: list[int] = Field(description="Ids of the new articles, queued for extraction.")


class FeedOut(BaseModel):
    """A registered feed and how its polls went."""

    id: int
    url: str
    title: str | None
    every: str | None
    active: bool
    last_polled_at: datetime | None
    last_error: str | None
    items_new: int
    items_duplicate: int
    items_failed: int
    created_at: datetime


class FeedList(BaseModel):
    """The feeds being polled."""

    items: list[FeedOut]
