"""The gold corpus: the team's copy in ../shared, else the one in tests/fixtures."""

import json
import os
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PARLEY_SHARED_DIR", TESTS.parents[1] / "shared"))
CORPUS = next(
    p for p in (SHARED / "corpus" / "dev.jsonl", TESTS / "fixtures/corpus/dev.jsonl") if p.exists()
)


def load_corpus() -> list[dict[str, Any]]:
    """The gold dev corpus."""
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
