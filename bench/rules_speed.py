"""Rules extractor throughput on one core: articles per minute over corpus and benchmark texts.

Usage: python bench/rules_speed.py [--shared PATH] [--repeat N]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.extraction.contract import ArticleInput
from app.extraction.rules import RulesExtractor
from bench.relevance_gate import SHARED, corpus_articles, page_texts


def main() -> int:
    """Time `extract_sync` over every text, `--repeat` times, and print articles/min."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = [str(a["text"]) for a in corpus_articles(args.shared)] + page_texts(args.shared)
    extractor = RulesExtractor()
    extractor.extract_sync(ArticleInput(text=texts[0]))  # warm the lexicon and caches
    records = 0
    started = time.perf_counter()
    for _ in range(args.repeat):
        for text in texts:
            records += len(extractor.extract_sync(ArticleInput(text=text)).records)
    elapsed = time.perf_counter() - started
    count = len(texts) * args.repeat
    print(
        f"{count} articles ({sum(map(len, texts)) * args.repeat:,} chars) in {elapsed:.2f}s: "
        f"{count / elapsed * 60:,.0f} articles/min on one core, {records} records"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
