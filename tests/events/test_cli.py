"""`parley events rebuild`: every record re-attached from the command line, the grouping kept;
a database that is not there is a one-line error, not a new empty file."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import get_settings
from app.evaluation.gold import load_gold
from tests.support.cli import parley
from tests.support.events import HELDOUT, empty_engine, partitions, store_all


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A SQLite file the command is pointed at."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    monkeypatch.setenv("PARLEY_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_rebuild_reattaches_every_record_and_keeps_the_grouping(database: str) -> None:
    engine = empty_engine(database)
    placed = store_all(engine, load_gold(HELDOUT))
    before = partitions(engine, placed)

    result = parley("events", "rebuild")

    assert result.exit_code == 0, result.output
    assert f"rebuilt events from {len(placed)} records" in result.stdout
    assert partitions(engine, placed) == before
    engine.dispose()


def test_rebuild_refuses_a_database_that_does_not_exist(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PARLEY_DATABASE_URL", f"sqlite:///{tmp_path / 'nowhere.db'}")
    get_settings.cache_clear()

    result = parley("events", "rebuild")

    assert result.exit_code == 2
    assert "no database at" in result.output
    assert not (tmp_path / "nowhere.db").exists()
    get_settings.cache_clear()
