"""A process's timeline drawn: dates to positions, labels in lanes that never overlap, status
changes ringed."""

import datetime as dt

from app.desk.timeline import LABEL_WIDTH, WIDTH, draw
from app.events.tables import Event
from app.extraction.vocabulary import RecordKind, RecordStatus


def _event(i: int, day: str, status: RecordStatus) -> Event:
    return Event(
        id=i, kind=RecordKind.CEASEFIRE, status=status, sort_date=dt.date.fromisoformat(day)
    )


def test_events_are_placed_by_date_and_status_changes_are_marked() -> None:
    drawing = draw(
        [
            _event(1, "2026-01-01", RecordStatus.AGREED),
            _event(2, "2026-01-02", RecordStatus.AGREED),
            _event(3, "2026-12-31", RecordStatus.COLLAPSED),
        ]
    )

    xs = [m.x for m in drawing.marks]
    assert xs == sorted(xs)
    assert xs[0] < WIDTH / 10 < WIDTH * 0.9 < xs[2]
    assert [m.changed for m in drawing.marks] == [False, False, True]
    assert [s for s, _ in drawing.legend] == ["agreed", "collapsed"]
    assert drawing.ticks[0].label == "Jan 2026"


def test_labels_of_close_events_go_to_different_lanes_and_stay_inside() -> None:
    events = [_event(i, f"2026-03-{i:02d}", RecordStatus.ONGOING) for i in range(1, 5)]
    drawing = draw([*events, _event(9, "2026-03-31", RecordStatus.ENDED)])

    lanes = [m.lane for m in drawing.marks[:4]]
    assert len(set(lanes)) == 4
    assert all(m.label_x + LABEL_WIDTH <= WIDTH for m in drawing.marks)


def test_a_single_event_sits_in_the_middle() -> None:
    [mark] = draw([_event(1, "2026-05-05", RecordStatus.PROPOSED)]).marks

    assert mark.x == WIDTH / 2
