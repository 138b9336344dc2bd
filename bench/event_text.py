"""What outlets write about a development: the wording of its reports, the text of an
article carrying one, and what an extractor would find in it (for the events benchmark)."""

from app.extraction.contract import Actor, ExtractedRecord, Place, ThirdParty
from app.extraction.vocabulary import RecordKind, RecordStatus
from bench.event_world import Development

OUTLETS = ("Harbour Wire", "Meridian Post", "Daily Ledger", "Crossroads News", "Evening Star")
_NOUNS = {
    RecordKind.NEGOTIATION: "talks",
    RecordKind.CEASEFIRE: "a ceasefire",
    RecordKind.SURRENDER: "the surrender of {count} fighters",
    RecordKind.PRISONER_EXCHANGE: "an exchange of {count} prisoners",
    RecordKind.PEACE_AGREEMENT: "a peace agreement",
}
_VERBS = {
    RecordStatus.PROPOSED: "proposed",
    RecordStatus.SCHEDULED: "scheduled",
    RecordStatus.ONGOING: "pressed on with",
    RecordStatus.STALLED: "stalled",
    RecordStatus.COLLAPSED: "abandoned",
    RecordStatus.AGREED: "agreed",
    RecordStatus.EXTENDED: "extended",
    RecordStatus.VIOLATED: "traded blame for breaking",
    RecordStatus.ENDED: "ended",
    RecordStatus.COMPLETED: "completed",
}
_FRAMES = (
    "{gov} and the {group} {verb} {noun} in {town} on {when}, {outlet} reported.",
    "On {when}, {gov} and the {group} {verb} {noun} in {town}, with {mediator} mediating.",
    "Officials said the {group} and {gov} {verb} {noun} near {town} on {when}.",
    "{mediator} said {gov} and the {group} {verb} {noun} in {town} on {when}.",
)
_FILLER = "Residents said they would wait to see whether the fighting eased."


def wording(development: Development, outlet: int) -> tuple[str, str]:
    """An outlet's summary and sentence for a development (outlets word it differently)."""
    d, country = development, development.country
    noun = _NOUNS[d.kind].format(count=d.count)
    sentence = _FRAMES[outlet % len(_FRAMES)].format(
        gov=country.government,
        group=country.group,
        verb=_VERBS[d.status],
        noun=noun,
        town=d.town,
        when=f"{d.day:%B} {d.day.day}, {d.day.year}",
        outlet=OUTLETS[outlet % len(OUTLETS)],
        mediator=country.mediator[0],
    )
    summary = f"{country.government} and the {country.group}: {noun}, {d.status} in {d.town}."
    return summary, sentence


def article_text(sentence: str, serial: int) -> str:
    """The text of an article carrying `sentence` (distinct for each `serial`)."""
    return f"{sentence} {_FILLER} Dispatch {serial}."


def extracted(development: Development, outlet: int, serial: int) -> tuple[str, ExtractedRecord]:
    """A new article reporting `development` and what an extractor would find in it."""
    d, country = development, development.country
    summary, sentence = wording(d, outlet)
    name, kind, mediator_country = country.mediator
    record = ExtractedRecord(
        kind=d.kind,
        status=d.status,
        summary=summary,
        parties=[
            Actor(name=country.government, kind="state", country=country.code),
            Actor(name=country.group, kind="armed_group", country=country.code),
        ],
        mediators=[ThirdParty(name=name, kind=kind, country=mediator_country, role="mediator")],
        location=Place(name=d.town, country=country.code),
        date=d.day.isoformat(),
        count=d.count,
        evidence=[sentence],
    )
    return article_text(sentence, serial), record
