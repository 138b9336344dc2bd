"""What the events tests share: an empty database of their own."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.support.events import empty_engine


@pytest.fixture
def engine(tmp_path: Path, postgres_ready: str | None) -> Iterator[Engine]:
    """An empty migrated database (PostgreSQL: the worker's, emptied)."""
    made = empty_engine(postgres_ready or f"sqlite:///{tmp_path / 'events.db'}")
    yield made
    made.dispose()
