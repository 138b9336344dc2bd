"""The events list's filters: read from the page's query string exactly as the API reads its
own (countries and mediators normalised, dates as days), and written back as the API's URLs
for the exports of exactly what the page shows."""

from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from fastapi import Request

from app.errors import InvalidInput
from app.events.search import EventQuery
from app.extraction.vocabulary import RecordKind, RecordStatus
from app.normalize import country_filter, mediator_filter
from app.records.search import RecordQuery, parse_day

FIELDS = ("country", "mediator", "kind", "status", "since", "until", "q")


@dataclass(frozen=True)
class EventFilters:
    """What the person typed in the filter form ('' when left empty)."""

    country: str = ""
    mediator: str = ""
    kind: str = ""
    status: str = ""
    since: str = ""
    until: str = ""
    q: str = ""

    @classmethod
    def from_request(cls, request: Request) -> "EventFilters":
        """The filters in the page's query string (other parameters ignored)."""
        values = {f: request.query_params.get(f, "").strip()[:500] for f in FIELDS}
        return cls(**values)

    def given(self) -> dict[str, str]:
        """Only the filters that were filled in."""
        return {k: v for k, v in asdict(self).items() if v}

    def query(self) -> EventQuery:
        """The API's query for these filters; a 422 naming a value it cannot read."""
        return EventQuery(
            RecordQuery(
                country=country_filter(self.country) if self.country else None,
                mediator=mediator_filter(self.mediator) if self.mediator else None,
                kind=_member(RecordKind, self.kind, "kind"),
                status=_member(RecordStatus, self.status, "status"),
                since=parse_day(self.since or None, end=False),
                until=parse_day(self.until or None, end=True),
                q=self.q or None,
            )
        )

    def export(self, path: str, fmt: str) -> str:
        """The API URL exporting every row these filters match, as `fmt` (csv or ndjson)."""
        return f"{path}?{urlencode({**self.given(), 'format': fmt})}"

    def page(self, cursor: str | None = None) -> str:
        """This list again (at `cursor`)."""
        extra = {"cursor": cursor} if cursor else {}
        return f"/desk/events?{urlencode({**self.given(), **extra})}"


def _member(enum: type[RecordKind] | type[RecordStatus], value: str, name: str) -> str | None:
    if not value:
        return None
    if value not in {m.value for m in enum}:
        raise InvalidInput(f"unknown {name} {value!r}")
    return value
