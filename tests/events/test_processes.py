"""Events grouped into processes: an article that recalls an earlier development in the story
of a new one ties both to one process, months or a few years apart, whichever article came
first; older history stays a process of its own. Real SQLite or PostgreSQL, real migrations."""

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.evaluation.gold import GoldArticle, GoldRecord
from app.events.rebuild import rebuild
from app.events.tuning import tuning
from app.extraction.contract import ArticleInput, ExtractedRecord
from app.records.normalise import normalise_record
from app.records.tables import Record
from tests.support.events import partitions, restore, store_all

SIDES = [
    {"name": "Sudan", "kind": "state", "country": "SDN"},
    {"name": "Rapid Support Forces", "kind": "armed_group", "country": "SDN"},
]


def _record(kind: str, status: str, date: str, quote: str) -> ExtractedRecord:
    fields = {"kind": kind, "status": status, "date": date, "parties": SIDES, "evidence": [quote]}
    return ExtractedRecord.model_validate(fields)


def _truce_of(date: str) -> ExtractedRecord:
    return _record("ceasefire", "agreed", date, f"the ceasefire the two sides agreed ({date})")


def _article(name: str, published: str, records: list[ExtractedRecord]) -> GoldArticle:
    text = " ".join(q for r in records for q in r.evidence) + "."
    when = dt.datetime.fromisoformat(f"{published}T09:00:00+00:00")
    return GoldArticle(
        name, ArticleInput(text=text, published_at=when), [GoldRecord(r) for r in records]
    )


def _talks_recalling(history: str | None) -> GoldArticle:
    """Talks in March 2026, and (unless None) the truce of `history` the story recalls."""
    talks = _record("negotiation", "completed", "2026-03-09", "the talks that ended on Monday")
    recalled = [_truce_of(history)] if history else []
    return _article("talks", "2026-03-10", [talks, *recalled])


def _process_count(engine: Engine) -> int:
    return len(partitions(engine, _placed(engine))[1])


def _placed(engine: Engine) -> dict[int, tuple[str, int]]:
    with Session(engine) as session:
        rows = session.exec(select(Record.id, Record.article_id, Record.seq)).all()
    return {r: (str(a), s) for r, a, s in rows if r is not None}


@pytest.mark.parametrize("talks_first", [True, False], ids=["talks first", "truce first"])
def test_an_article_recalling_last_years_truce_ties_it_to_the_new_talks(
    engine: Engine, talks_first: bool
) -> None:
    truce = _article("truce", "2025-01-19", [_truce_of("2025-01-18")])
    talks = _talks_recalling("2025-01")  # 415 days before the talks, past the 240-day window
    articles = [talks, truce] if talks_first else [truce, talks]

    placed = store_all(engine, articles)

    events, processes = partitions(engine, placed)
    assert frozenset({("truce", 0), ("talks", 1)}) in events
    assert processes == {frozenset({("truce", 0), ("talks", 0), ("talks", 1)})}
    rebuild(engine)
    assert partitions(engine, placed) == (events, processes)


def test_history_older_than_a_few_years_stays_a_process_of_its_own(engine: Engine) -> None:
    assert tuning().process.co_reported_days < (dt.date(2026, 3, 9) - dt.date(2016, 1, 1)).days

    placed = store_all(engine, [_talks_recalling("2016")])

    assert len(partitions(engine, placed)[1]) == 2


def test_the_tie_goes_when_the_article_that_made_it_no_longer_recalls_the_truce(
    engine: Engine,
) -> None:
    talks = _talks_recalling("2025-01")
    store_all(engine, [_article("truce", "2025-01-19", [_truce_of("2025-01-18")]), talks])
    assert _process_count(engine) == 1

    with Session(engine) as session:
        article_id = session.exec(select(Record.article_id).where(Record.seq == 1)).one()
        only_talks = [normalise_record(talks.records[0].record)]
        restore(session, article_id, talks, only_talks)  # re-extracted without the truce
        session.commit()

    assert _process_count(engine) == 2
