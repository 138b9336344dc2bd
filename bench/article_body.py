"""Article-body benchmark: Parley's `extract_page` against plain trafilatura, in one run.

Usage: python bench/article_body.py [--shared PATH] [--limit N]

Metric (the benchmark README's): tokens are `\\w+` runs; each document's 4-token shingles are
counted in truth and prediction; per document TP, FP and FN are divided by their sum so every
document weighs the same; precision, recall and F1 come from the mean TP, FP and FN.
"""

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.parsing.pages import extract_page

_TOKEN = re.compile(r"\w+")
_SHINGLE = 4
Extractor = Callable[[bytes, str], str]


@dataclass(frozen=True)
class Sample:
    """One benchmark page and its human-checked article body."""

    page_id: str
    html: bytes
    url: str
    truth: str


@dataclass(frozen=True)
class Score:
    """Benchmark figures of one extractor."""

    precision: float
    recall: float
    f1: float
    pages_per_second: float


def load(root: Path, limit: int | None = None) -> list[Sample]:
    """The pages and ground truth of the benchmark folder."""
    truth = json.loads((root / "ground-truth.json").read_text("utf-8"))
    samples = [
        Sample(
            pid,
            gzip.decompress((root / "html" / f"{pid}.html.gz").read_bytes()),
            item.get("url", ""),
            item["articleBody"],
        )
        for pid, item in sorted(truth.items())
    ]
    return samples[:limit] if limit else samples


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Counts of the 4-token shingles of `text`."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + _SHINGLE]) for i in range(len(tokens) - _SHINGLE + 1))


def document_rates(truth: str, predicted: str) -> tuple[float, float, float]:
    """One document's TP, FP and FN, normalised to sum to 1."""
    expected, got = shingles(truth), shingles(predicted)
    tp = sum((expected & got).values())
    fp = sum((got - expected).values())
    fn = sum((expected - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def evaluate(samples: list[Sample], extractor: Extractor) -> Score:
    """Run `extractor` over every page and score it."""
    started = time.perf_counter()
    predictions = [extractor(s.html, s.url) for s in samples]
    elapsed = time.perf_counter() - started
    rates = [document_rates(s.truth, p) for s, p in zip(samples, predictions, strict=True)]
    tp, fp, fn = (sum(r[i] for r in rates) / len(rates) for i in range(3))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, len(samples) / elapsed)


def parley(html: bytes, url: str) -> str:
    """Parley's extractor, as the ingestion pipeline calls it."""
    return extract_page(html, url).text


def trafilatura_defaults(html: bytes, url: str) -> str:
    """Plain trafilatura, default options."""
    return trafilatura.extract(html.decode("utf-8", "replace"), url=url) or ""


def trafilatura_published(html: bytes, url: str) -> str:
    """Plain trafilatura as usually benchmarked: comments left out."""
    return (
        trafilatura.extract(html.decode("utf-8", "replace"), url=url, include_comments=False) or ""
    )


EXTRACTORS: dict[str, Extractor] = {
    "parley extract_page": parley,
    "trafilatura (defaults)": trafilatura_defaults,
    "trafilatura (no comments)": trafilatura_published,
}


def main() -> None:
    """Parse arguments, run every extractor, print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared"
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    args = parser.parse_args()
    samples = load(args.shared / "benchmarks" / "article-body", args.limit)
    print(f"{len(samples)} pages, trafilatura {trafilatura.__version__}")
    print(f"{'extractor':28s} {'precision':>9s} {'recall':>7s} {'F1':>6s} {'pages/s':>8s}")
    for name, extractor in EXTRACTORS.items():
        s = evaluate(samples, extractor)
        print(
            f"{name:28s} {s.precision:9.4f} {s.recall:7.4f} {s.f1:6.4f} {s.pages_per_second:8.1f}"
        )


if __name__ == "__main__":
    main()
