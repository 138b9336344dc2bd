"""How many LLM calls the relevance gate saves, and that it rejects no relevant gold article.

Usage: python bench/relevance_gate.py [--shared PATH]   (default: ../shared from the repo root)
"""

import argparse
import gzip
import json
import sys
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.extraction.relevance import is_relevant

SHARED = Path(__file__).resolve().parents[2] / "shared"


def corpus_articles(shared: Path = SHARED) -> list[dict[str, object]]:
    """Every article of the dev corpus, as its JSON object."""
    lines = (shared / "corpus" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def page_texts(shared: Path = SHARED) -> list[str]:
    """Main text of each benchmark HTML page (pages trafilatura finds no text in are skipped)."""
    texts = []
    for path in sorted((shared / "benchmarks" / "article-body" / "html").glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        text = trafilatura.extract(html)
        if text:
            texts.append(text)
    return texts


def main() -> int:
    """Print the share of benchmark pages rejected and the gold articles rejected."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=SHARED)
    args = parser.parse_args()
    pages = page_texts(args.shared)
    rejected_pages = sum(not is_relevant(text) for text in pages)
    articles = corpus_articles(args.shared)
    relevant = [a for a in articles if a.get("records")]
    rejected_gold = [
        str(a["id"]) for a in relevant if not is_relevant(str(a["text"]), str(a.get("title") or ""))
    ]
    print(
        f"article-body pages: {len(pages)}, rejected by the gate: {rejected_pages} "
        f"({rejected_pages / max(len(pages), 1):.1%} of LLM calls saved)"
    )
    print(
        f"dev.jsonl relevant articles: {len(relevant)}, rejected: {len(rejected_gold)} "
        f"{rejected_gold or ''}"
    )
    return 1 if rejected_gold else 0


if __name__ == "__main__":
    raise SystemExit(main())
