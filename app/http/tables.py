"""The table behind `Idempotency-Key`: claimed keys and the answers to replay."""

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from app.db.types import timestamp


class IdempotentRequest(SQLModel, table=True):
    """A POST answered under an `Idempotency-Key`, replayed for the same key and body."""

    __tablename__ = "idempotent_request"

    key: str = Field(max_length=255, primary_key=True)
    principal: str = Field(max_length=64, primary_key=True)
    request_hash: str = Field(max_length=64)
    status_code: int | None = None
    response_body: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = timestamp()
