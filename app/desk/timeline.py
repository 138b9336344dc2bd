"""A process's timeline as drawing instructions for a server-rendered SVG: its events on a time
axis, each dot and the stretch after it coloured by the status then in force, a ring where the
status changed, labels in lanes so that none overlaps another."""

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from app.events.tables import Event
from app.extraction.vocabulary import RecordStatus

WIDTH, MARGIN, AXIS_Y, LANE_TOP, LANE_HEIGHT, LANES = 960, 60, 48, 90, 46, 4
LABEL_WIDTH = 215
COLOURS = {
    RecordStatus.PROPOSED: "#6b7280",
    RecordStatus.SCHEDULED: "#2563eb",
    RecordStatus.ONGOING: "#0e7490",
    RecordStatus.STALLED: "#b45309",
    RecordStatus.COLLAPSED: "#dc2626",
    RecordStatus.AGREED: "#15803d",
    RecordStatus.EXTENDED: "#166534",
    RecordStatus.VIOLATED: "#9f1239",
    RecordStatus.ENDED: "#7c3aed",
    RecordStatus.COMPLETED: "#0f766e",
}


@dataclass(frozen=True)
class Mark:
    """One event on the axis: where, in which lane its label sits, and whether its status
    differs from the event before it."""

    event_id: int
    x: float
    label_x: float
    label_y: float
    lane: int
    day: dt.date
    status: str
    kind: str
    colour: str
    changed: bool


@dataclass(frozen=True)
class Stretch:
    """The axis between two events, coloured by the status of the first."""

    x1: float
    x2: float
    colour: str


@dataclass(frozen=True)
class Tick:
    """A labelled date on the axis."""

    x: float
    label: str


@dataclass(frozen=True)
class Drawing:
    """Everything the SVG template draws."""

    width: int
    height: int
    marks: list[Mark]
    stretches: list[Stretch]
    ticks: list[Tick]
    legend: list[tuple[str, str]]


def _scale(first: dt.date, last: dt.date) -> "Scale":
    return Scale(first, max((last - first).days, 1))


@dataclass(frozen=True)
class Scale:
    """Days to x positions."""

    first: dt.date
    days: int

    def x(self, day: dt.date) -> float:
        return MARGIN + (day - self.first).days / self.days * (WIDTH - 2 * MARGIN)


def _lanes(xs: Sequence[float]) -> list[int]:
    """The first lane whose last label ends before this one starts (else the emptiest)."""
    ends = [float("-inf")] * LANES
    lanes = []
    for x in xs:
        free = [i for i, end in enumerate(ends) if end < x]
        lane = free[0] if free else min(range(LANES), key=lambda i: ends[i])
        ends[lane] = x + LABEL_WIDTH
        lanes.append(lane)
    return lanes


def _ticks(scale: Scale, last: dt.date) -> list[Tick]:
    """About ten labelled dates: days for a span of weeks, months, or years."""
    if scale.days <= 92:
        step = max(1, -(-scale.days // 8))
        days = [scale.first + dt.timedelta(days=n) for n in range(0, scale.days + 1, step)]
        return [Tick(round(scale.x(d), 1), f"{d.day} {d:%b}") for d in days]
    months = (last.year - scale.first.year) * 12 + last.month - scale.first.month + 1
    step = max(1, -(-months // 10))
    ticks = []
    for i in range(0, months + 1, step):
        y, m = divmod(scale.first.month - 1 + i, 12)
        day = dt.date(scale.first.year + y, m + 1, 1)
        if scale.first <= day <= last:
            label = f"{day:%b %Y}" if step < 12 else str(day.year)
            ticks.append(Tick(x=round(scale.x(day), 1), label=label))
    return ticks


def draw(events: Sequence[Event]) -> Drawing:
    """The drawing of a timeline (events in date order)."""
    if not events:
        return Drawing(WIDTH, LANE_TOP, [], [], [], [])
    first, last = events[0].sort_date, events[-1].sort_date
    scale = _scale(first, last)
    xs = [scale.x(e.sort_date) if last > first else WIDTH / 2 for e in events]
    label_xs = [min(x, WIDTH - LABEL_WIDTH) for x in xs]
    lanes = _lanes(label_xs)
    marks = [
        Mark(
            event_id=e.id or 0,
            x=round(x, 1),
            label_x=round(lx, 1),
            label_y=LANE_TOP + lane * LANE_HEIGHT,
            lane=lane,
            day=e.sort_date,
            status=str(e.status),
            kind=str(e.kind).replace("_", " "),
            colour=COLOURS[RecordStatus(e.status)],
            changed=i > 0 and e.status != events[i - 1].status,
        )
        for i, (e, x, lx, lane) in enumerate(zip(events, xs, label_xs, lanes, strict=True))
    ]
    stretches = [Stretch(a.x, b.x, a.colour) for a, b in itertools.pairwise(marks)]
    seen = dict.fromkeys(m.status for m in marks)
    legend = [(s, COLOURS[RecordStatus(s)]) for s in seen]
    height = LANE_TOP + (max(lanes) + 1) * LANE_HEIGHT + 10
    return Drawing(WIDTH, height, marks, stretches, _ticks(scale, last), legend)
