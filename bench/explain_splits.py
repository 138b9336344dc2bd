"""Why consolidation splits (or joins) reports the gold calls one development (or two).

    python bench/explain_splits.py --gold tests/fixtures/events/wire.jsonl [--fed-gold] [--merges]

Stores the gold articles' records (the rules extractor's, or with --fed-gold the gold's own) in
a scratch database through the service's own store-and-attach path, exactly as `parley eval`
does, pairs them with the gold records as `parley eval` does, and prints, for every pair of
records the gold puts in one event but consolidation put in two: whether each is a candidate of
the other (app.events.anchors: same kind, a shared country, within the window), the veto
(app.events.similarity.veto) or the score and its parts, and the facts of both. --merges also
prints the pairs consolidation joined that the gold keeps apart.

Only for the tuning set: never run it on a held-out file.
"""

import argparse
import asyncio
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from sqlmodel import Session, select

from app.db.engine import make_engine
from app.db.migrate import upgrade
from app.evaluation.consolidation import store_gold_article
from app.evaluation.gold import GoldArticle, load_gold
from app.evaluation.scoring import pair_records
from app.events.facts import Facts, of_record
from app.events.similarity import compare, day_distance, veto
from app.events.tuning import EventTuning, tuning
from app.extraction.contract import ExtractedRecord
from app.extraction.grounding import locate
from app.extraction.rules import RulesExtractor
from app.records.normalise import normalise_record
from app.records.tables import Record


@dataclass(frozen=True)
class Placed:
    """A stored record with the gold development it was paired with."""

    article: str
    record: Record
    gold_event: str
    gold_status: str


def _extracted(article: GoldArticle, extractor: RulesExtractor) -> list[ExtractedRecord]:
    """What `parley eval` scores: normalised records with at least one locatable quote."""
    result = asyncio.run(extractor.extract(article.article))
    text = article.article.text
    return [
        normalise_record(r)
        for r in result.records
        if any(locate(q, text) is not None for q in r.evidence)
    ]


def _placed(session: Session, articles: list[GoldArticle], fed_gold: bool) -> list[Placed]:
    """Store every article's records; the stored records paired with a gold event."""
    extractor = RulesExtractor()
    out: list[tuple[str, int, int, str, str]] = []
    for article in articles:
        mine = (
            [normalise_record(g.record) for g in article.records]
            if fed_gold
            else _extracted(article, extractor)
        )
        article_id, kept = store_gold_article(session, article, mine)
        seq_of = {index: seq for seq, index in enumerate(kept)}
        for i, j in pair_records(mine, article.records):
            truth = article.records[j]
            if truth.event is not None and i in seq_of:
                status = truth.record.status.value
                out.append((article.id, article_id, seq_of[i], truth.event, status))
    session.flush()
    placed = []
    for gold_id, article_id, seq, event, status in out:
        record = session.exec(
            select(Record).where(Record.article_id == article_id).where(Record.seq == seq)
        ).one()
        if record.event_id is not None:
            placed.append(Placed(gold_id, record, event, status))
    return placed


def _candidate(a: Facts, b: Facts, settings: EventTuning) -> str:
    """Whether anchors would offer one to the other, and if not why not."""
    if a.kind != b.kind:
        return "no: different kinds"
    if not a.countries & b.countries:
        return "no: no shared country"
    days = day_distance(a, b)
    if days is None:
        return "no: undated"
    if days > settings.window_days[a.kind]:
        return f"no: {days} days apart (window {settings.window_days[a.kind]})"
    return "yes"


def _date(f: Facts) -> str:
    span = f"{f.day_from}" if f.day_from == f.day_to else f"{f.day_from}..{f.day_to}"
    return f"{span} ({f.precision})"


def _through(record: Record) -> str:
    """An ambiguous record's one link (app.events.ambiguity), or nothing."""
    if record.event_through is None:
        return ""
    return f" (joined through record {record.event_through} only)"


def _show(p: Placed, f: Facts) -> str:
    return (
        f"    {p.article} #{p.record.seq} [gold {p.gold_status}] event {p.record.event_id}"
        f"{_through(p.record)}: "
        f"{f.kind} {f.status} {_date(f)} sides={sorted(f.sides)} groups={sorted(f.groups)}\n"
        f"      countries={sorted(f.countries)} mediators={sorted(f.mediators)} "
        f"place={f.place}/{f.place_country} count={f.count}\n"
        f"      text: {f.text[:150]}"
    )


def explain(a: Placed, b: Placed, settings: EventTuning) -> Iterator[str]:
    """Lines telling why `a` and `b` are (or are not) linked directly."""
    fa, fb = of_record(a.record), of_record(b.record)
    yield f"  candidate: {_candidate(fa, fb, settings)}"
    reason = veto(fa, fb, settings)
    if reason is not None:
        yield f"  veto: {reason}"
    else:
        match = compare(fa, fb, settings)
        assert match is not None
        verdict = "linked" if match.score >= settings.threshold else "below threshold"
        yield f"  score {match.score:.3f} ({verdict} at {settings.threshold}): " + ", ".join(
            match.reasons
        )
    yield _show(a, fa)
    yield _show(b, fb)


def report(gold: Path, *, fed_gold: bool, merges: bool) -> None:
    """Print every split (and, with `merges`, every false join) with its reasons."""
    settings = tuning().event
    articles = load_gold(gold)
    with tempfile.TemporaryDirectory(prefix="parley-splits-") as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'splits.db'}")
        try:
            upgrade(engine)
            with Session(engine) as session:
                placed = _placed(session, articles, fed_gold)
                _print_pairs(placed, settings, merges)
        finally:
            engine.dispose()


def _print_pairs(placed: list[Placed], settings: EventTuning, merges: bool) -> None:
    splits = joins = 0
    for a, b in combinations(sorted(placed, key=lambda p: p.gold_event), 2):
        same_gold = a.gold_event == b.gold_event
        same_system = a.record.event_id == b.record.event_id
        if same_gold and not same_system:
            splits += 1
            print(f"SPLIT {a.gold_event}")
        elif merges and same_system and not same_gold:
            joins += 1
            print(f"JOIN {a.gold_event} + {b.gold_event}")
        else:
            continue
        for line in explain(a, b, settings):
            print(line)
    print(f"\n{splits} split pairs" + (f", {joins} false joins" if merges else ""))


def main() -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--fed-gold", action="store_true", help="store the gold's own records")
    parser.add_argument("--merges", action="store_true", help="also print false joins")
    args = parser.parse_args()
    report(args.gold, fed_gold=args.fed_gold, merges=args.merges)


if __name__ == "__main__":
    main()
