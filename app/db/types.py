"""Column types and field helpers every domain's tables share."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Column, DateTime, Dialect, String
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field

E = TypeVar("E", bound=StrEnum)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """Read naive datetimes as UTC, so every stored time is comparable."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them without an offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; naive values are taken to be UTC already."""
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back aware UTC datetimes."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def empty_list() -> list[Any]:
    """A new empty list: the default factory of a table's list column. Not `list` itself:
    SQLModel asks pydantic for a table row's missing defaults on every construction, and
    pydantic inspects the factory's signature each time, which for a builtin class costs
    ~0.3 ms (a Record has six such columns); a Python function's costs ~10 µs."""
    return []


def empty_dict() -> dict[str, Any]:
    """A new empty dict: the default factory of a table's JSON object column (see
    `empty_list`)."""
    return {}


def timestamp(*, nullable: bool = False, index: bool = False) -> Any:
    """A UTC timestamp column; not-null ones default to now."""
    return Field(
        default_factory=utcnow if not nullable else None,
        sa_column=Column(UTCDateTime(), nullable=nullable, index=index),
    )


class EnumText(TypeDecorator[E]):
    """A `StrEnum` stored as its plain string value (VARCHAR), read back as the member."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        """Store the value; a plain string must name a member."""
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        """Read the member back."""
        return None if value is None else self.enum(value)


def enum_column(
    enum: type[StrEnum], length: int, *, index: bool = False, nullable: bool = False
) -> Any:
    """A column holding one of `enum`'s values."""
    return Column(EnumText(enum, length), nullable=nullable, index=index)
