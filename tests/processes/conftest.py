"""Fixtures of the process tests: real `parley` processes, killed at the end."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import Cluster


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """Every process the test starts, killed at the end whatever happens."""
    with Cluster(tmp_path) as running:
        yield running
