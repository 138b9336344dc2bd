"""Vague reports that would bridge two developments: "a prisoner exchange in December" matches
both the swap of the 8th and the swap of the 15th, and must not join them into one event,
whatever order the reports come in. Real SQLite or PostgreSQL, real migrations."""

import datetime as dt
import random
from collections.abc import Iterator

from sqlalchemy import Engine
from sqlmodel import Session, select

from app.articles.tables import Article
from app.evaluation.gold import GoldArticle, GoldRecord
from app.events.rebuild import rebuild
from app.extraction.contract import ArticleInput, ExtractedRecord
from app.records.tables import Record
from app.review.corrections import correct
from tests.support.events import Partition, partitions, restore, store_all

SIDES = [
    {"name": "Djibouti", "kind": "state", "country": "DJI"},
    {"name": "Eritrea", "kind": "state", "country": "ERI"},
]


def _fields(kind: str, status: str, date: str | None) -> dict[str, object]:
    return {"kind": kind, "status": status, "date": date, "parties": SIDES}


def _report(name: str, kind: str, status: str, date: str | None, published: str) -> GoldArticle:
    """One outlet's article with its one record; `date` None: undated, dated by `published`."""
    text = f"Djibouti and Eritrea: {kind.replace('_', ' ')} {status}, the outlet {name} said."
    fields = {**_fields(kind, status, date), "evidence": [text]}
    when = dt.datetime.fromisoformat(f"{published}T09:00:00+00:00")
    article = ArticleInput(text=text, published_at=when)
    return GoldArticle(name, article, [GoldRecord(ExtractedRecord.model_validate(fields))])


def _swap(name: str, date: str | None, published: str) -> GoldArticle:
    return _report(name, "prisoner_exchange", "completed", date, published)


def _reported_twice(day: str) -> list[GoldArticle]:
    """The swap of December `day`, by a wire on the day and a daily the day after."""
    after = f"2026-12-{int(day) + 1:02d}"
    return [
        _swap(f"{int(day)}th, wire", f"2026-12-{day}", f"2026-12-{day}"),
        _swap(f"{int(day)}th, daily", f"2026-12-{day}", after),
    ]


def _groupings(engine: Engine, articles: list[GoldArticle]) -> Iterator[Partition]:
    """The events of six orders of `articles` (each stored afresh), and of a rebuild of each."""
    shuffled = [random.Random(seed).sample(articles, len(articles)) for seed in range(4)]
    for order in [articles, articles[::-1], *shuffled]:
        with Session(engine) as session:
            for record in session.exec(select(Record)).all():
                session.delete(record)
            session.commit()
        placed = store_all(engine, list(order))
        yield partitions(engine, placed)[0]
        rebuild(engine)
        yield partitions(engine, placed)[0]


def test_a_month_dated_report_does_not_join_two_exchanges_of_that_month(engine: Engine) -> None:
    # Two outlets report each swap; a digest reports "a swap in December".
    eighth = _reported_twice("08")
    fifteenth = _reported_twice("15")
    digest = _swap("digest", "2026-12", "2026-12-20")

    found = set(_groupings(engine, [*eighth, *fifteenth, digest]))

    assert len(found) == 1, "the same events in every order and after a rebuild"
    events = found.pop()
    assert frozenset({("8th, wire", 0), ("8th, daily", 0)}) <= _event_of(events, "8th, wire")
    assert ("15th, wire", 0) not in _event_of(events, "8th, wire")
    # The digest joins one swap: both score alike, and the earlier one wins the tie.
    assert ("digest", 0) in _event_of(events, "8th, wire")


def test_one_report_of_another_day_is_outvoted_not_a_second_exchange(engine: Engine) -> None:
    eighth = _reported_twice("08")
    stray = _swap("15th, one outlet", "2026-12-15", "2026-12-15")  # one outlet's wrong day
    digest = _swap("digest", "2026-12", "2026-12-20")

    placed = store_all(engine, [*eighth, stray, digest])

    assert len(partitions(engine, placed)[0]) == 1


def _event_of(events: Partition, article: str) -> frozenset[tuple[str, int]]:
    return next(group for group in events if (article, 0) in group)


def test_once_one_exchange_is_gone_the_month_dated_report_joins_the_other(
    engine: Engine,
) -> None:
    eighth = _reported_twice("08")
    fifteenth = _reported_twice("15")
    placed = store_all(engine, [*eighth, *fifteenth, _swap("digest", "2026-12", "2026-12-20")])

    with Session(engine) as session:
        for gone in eighth:  # re-extracted: the 8th's articles yield nothing now
            article_id = session.exec(
                select(Record.article_id).join(Article).where(Article.text == gone.article.text)
            ).one()
            restore(session, article_id, gone, [])
        session.commit()

    assert partitions(engine, placed)[0] == {
        frozenset({("15th, wire", 0), ("15th, daily", 0), ("digest", 0)})
    }


def test_one_article_telling_two_exchanges_apart_keeps_them_apart(engine: Engine) -> None:
    # A single report of each swap, but one article that reports both: "the second swap on
    # the 18th, after the first on the 4th". A digest's "swaps in September" joins one only.
    text = "The second swap was on the 18th, after the first on the 4th."
    swaps = [
        ExtractedRecord.model_validate(
            {**_fields("prisoner_exchange", "completed", date), "evidence": [text]}
        )
        for date in ("2026-09-18", "2026-09-04")
    ]
    when = dt.datetime(2026, 9, 19, 9, tzinfo=dt.UTC)
    both = GoldArticle(
        "both", ArticleInput(text=text, published_at=when), [GoldRecord(r) for r in swaps]
    )
    digest = _swap("digest", "2026-09", "2026-09-30")

    events = partitions(engine, store_all(engine, [both, digest]))[0]

    assert len(events) == 2
    assert frozenset({("both", 0), ("both", 1)}) not in {e - {("digest", 0)} for e in events}


def test_two_month_dated_reports_each_join_a_day_not_one_another(engine: Engine) -> None:
    # Neither contradicts the other, but a vague report links through a day-dated match only.
    weekly = _swap("weekly", "2026-12", "2026-12-21")
    digest = _swap("digest", "2026-12", "2026-12-20")

    found = set(
        _groupings(engine, [*_reported_twice("08"), *_reported_twice("15"), digest, weekly])
    )

    assert len(found) == 1
    events = found.pop()
    vague = {("digest", 0), ("weekly", 0)}
    assert all(event - vague for event in events), "no event of the vague reports alone"


def test_a_corrected_report_leaves_no_vague_report_linked_through_its_old_facts(
    engine: Engine,
) -> None:
    placed = store_all(
        engine,
        [*_reported_twice("08"), *_reported_twice("15"), _swap("digest", "2026-12", "2026-12-20")],
    )
    with Session(engine) as session:
        through = session.exec(select(Record.event_through).where(Record.date == "2026-12")).one()
        assert through is not None
        correct(session, through, {"date": "2026-11-02"}, "desk", "the swap was in November")
        session.commit()
    corrected = partitions(engine, placed)[0]

    rebuild(engine)

    assert partitions(engine, placed)[0] == corrected
