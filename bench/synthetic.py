"""Synthetic conflict news for the benchmarks: distinct ~2-4k-character articles and the
records an extractor would find in them, drawn from a fixed set of conflicts and mediators.

Deterministic for a given seed, so two runs load and query the same data.
"""

import random
from dataclasses import dataclass

from app.extraction.contract import (
    RECORD_KINDS,
    RECORD_STATUSES,
    Actor,
    ExtractedRecord,
    ExtractionResult,
    Place,
    ThirdParty,
    Usage,
)
from app.extraction.vocabulary import ExtractorName


@dataclass(frozen=True)
class Conflict:
    """A country at war, its two sides and the places news reports name."""

    country: str
    side_a: tuple[str, str]  # name, actor kind
    side_b: tuple[str, str]
    places: tuple[str, ...]


CONFLICTS: tuple[Conflict, ...] = (
    Conflict(
        "Sudan",
        ("Sudanese Armed Forces", "armed_forces"),
        ("Rapid Support Forces", "armed_group"),
        ("Khartoum", "El Fasher", "Jeddah"),
    ),
    Conflict(
        "Colombia",
        ("Colombian government", "state"),
        ("National Liberation Army", "armed_group"),
        ("Bogota", "Havana", "Cali"),
    ),
    Conflict(
        "Ukraine", ("Ukraine", "state"), ("Russia", "state"), ("Kyiv", "Istanbul", "Zaporizhzhia")
    ),
    Conflict(
        "Yemen",
        ("Yemeni government", "state"),
        ("Houthis", "armed_group"),
        ("Sanaa", "Muscat", "Hodeidah"),
    ),
    Conflict(
        "DR Congo",
        ("Congolese army", "armed_forces"),
        ("M23", "armed_group"),
        ("Goma", "Doha", "Luanda"),
    ),
    Conflict(
        "Ethiopia",
        ("Ethiopian government", "state"),
        ("Tigray People's Liberation Front", "armed_group"),
        ("Pretoria", "Mekelle"),
    ),
    Conflict(
        "Myanmar",
        ("Myanmar military", "armed_forces"),
        ("Arakan Army", "armed_group"),
        ("Kunming", "Sittwe", "Naypyidaw"),
    ),
    Conflict(
        "Libya",
        ("Government of National Unity", "state"),
        ("Libyan National Army", "armed_group"),
        ("Tripoli", "Geneva", "Sirte"),
    ),
    Conflict(
        "Somalia",
        ("Somali National Army", "armed_forces"),
        ("al-Shabaab", "armed_group"),
        ("Mogadishu", "Kismayo"),
    ),
    Conflict(
        "Philippines",
        ("Philippine government", "state"),
        ("Moro Islamic Liberation Front", "armed_group"),
        ("Manila", "Kuala Lumpur"),
    ),
    Conflict("Israel", ("Israel", "state"), ("Hamas", "armed_group"), ("Cairo", "Doha", "Gaza")),
    Conflict(
        "Armenia",
        ("Armenia", "state"),
        ("Azerbaijan", "state"),
        ("Washington", "Almaty", "Yerevan"),
    ),
    Conflict(
        "Mozambique",
        ("Mozambican army", "armed_forces"),
        ("Renamo", "armed_group"),
        ("Maputo", "Gorongosa"),
    ),
    Conflict(
        "South Sudan",
        ("South Sudanese government", "state"),
        ("SPLM-IO", "armed_group"),
        ("Juba", "Nairobi", "Addis Ababa"),
    ),
)

MEDIATORS: tuple[tuple[str, str, str | None], ...] = (
    ("Qatar", "state", "Qatar"),
    ("Egypt", "state", "Egypt"),
    ("United States", "state", "United States"),
    ("Turkey", "state", "Turkey"),
    ("Norway", "state", "Norway"),
    ("Saudi Arabia", "state", "Saudi Arabia"),
    ("Switzerland", "state", "Switzerland"),
    ("Oman", "state", "Oman"),
    ("Kenya", "state", "Kenya"),
    ("Angola", "state", "Angola"),
    ("African Union", "organization", None),
    ("United Nations", "organization", None),
    ("IGAD", "organization", None),
    ("ECOWAS", "organization", None),
    ("European Union", "organization", None),
    ("ICRC", "organization", None),
)

TOPICS = (
    "humanitarian access",
    "prisoner release",
    "withdrawal of forces",
    "elections",
    "disarmament",
    "monitoring mechanism",
    "return of displaced people",
    "power sharing",
)

_SENTENCES = (
    "Delegations from {a} and {b} met in {place} on {day}, according to a statement read by "
    "a spokesperson for {m}.",
    "The talks, mediated by {m}, focused on {topic} and on a mechanism to verify any truce.",
    "Officials in {place} said {n} detainees could be released if the first phase held.",
    "{a} accused {b} of shelling residential areas hours after the announcement.",
    "A senior negotiator for {b}, speaking on condition of anonymity, said the draft text "
    "still left the question of {topic} unresolved.",
    "Diplomats said a new round of negotiations could open in {place} before the end of {month}.",
    "Aid agencies warned that more than {n},000 people remained cut off from food and "
    "medicine despite repeated appeals for {topic}.",
    "Representatives of {m} said they were ready to host further meetings and to send "
    "observers to monitor the ceasefire lines.",
    "The previous agreement, signed in {year}, collapsed within weeks amid mutual accusations.",
    "Fighting continued around {place} on {day}, residents told reporters by telephone.",
    "Under the proposal, both sides would pull heavy weapons back {n} kilometres from the "
    "front line and exchange lists of prisoners.",
    "{a} said it would study the text carefully and respond through the mediators.",
    "Analysts said pressure from {m} had been decisive in bringing the parties to the table.",
    "The United Nations envoy welcomed the announcement and called for unhindered access to "
    "civilians in need.",
    "Local leaders in {place} said they hoped the truce would allow families to return home.",
)

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _fill(template: str, conflict: Conflict, rng: random.Random) -> str:
    return template.format(
        a=conflict.side_a[0],
        b=conflict.side_b[0],
        place=rng.choice(conflict.places),
        m=rng.choice(MEDIATORS)[0],
        topic=rng.choice(TOPICS),
        n=rng.randint(2, 900),
        day=f"{rng.choice(MONTHS)} {rng.randint(1, 28)}",
        month=rng.choice(MONTHS),
        year=rng.randint(2012, 2023),
    )


def article_sentences(serial: int, rng: random.Random, min_chars: int = 2000) -> list[str]:
    """An article as sentences: a unique lead naming `serial`, then 2-4k characters of body."""
    conflict = CONFLICTS[serial % len(CONFLICTS)]
    lead = (
        f"{conflict.side_a[0]} and {conflict.side_b[0]} agreed on {rng.choice(MONTHS)} "
        f"{rng.randint(1, 28)} to a {rng.randint(2, 30)}-day ceasefire around "
        f"{rng.choice(conflict.places)}, dispatch {serial}."
    )
    sentences = [lead]
    target = rng.randint(min_chars, min_chars * 2)
    while sum(len(s) + 1 for s in sentences) < target:
        sentences.append(_fill(rng.choice(_SENTENCES), conflict, rng))
    return sentences


def article_text(serial: int, rng: random.Random) -> str:
    """A distinct article of about 2-4k characters, in paragraphs of three sentences."""
    sentences = article_sentences(serial, rng)
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    return "\n\n".join(paragraphs)


def _record(conflict: Conflict, evidence: str, rng: random.Random) -> ExtractedRecord:
    name, kind, country = rng.choice(MEDIATORS)
    year, month = rng.randint(2015, 2025), rng.randint(1, 12)
    date = rng.choice(
        (f"{year}", f"{year}-{month:02d}", f"{year}-{month:02d}-{rng.randint(1, 28):02d}")
    )
    return ExtractedRecord(
        kind=rng.choice(RECORD_KINDS),
        status=rng.choice(RECORD_STATUSES),
        summary=f"{conflict.side_a[0]} and {conflict.side_b[0]}: {evidence[:200]}",
        parties=[
            Actor(name=conflict.side_a[0], kind=conflict.side_a[1], country=conflict.country),
            Actor(name=conflict.side_b[0], kind=conflict.side_b[1], country=conflict.country),
        ],
        mediators=[ThirdParty(name=name, kind=kind, country=country, role="mediator")],
        location=Place(name=rng.choice(conflict.places), country=conflict.country),
        date=date,
        topics=rng.sample(TOPICS, 2),
        evidence=[evidence],
    )


def article_records(
    serial: int, sentences: list[str], rng: random.Random, count: int
) -> ExtractionResult:
    """What an LLM might return for the article: `count` records quoting its sentences."""
    conflict = CONFLICTS[serial % len(CONFLICTS)]
    quotes = [rng.choice(sentences) for _ in range(count)]
    return ExtractionResult(
        records=[_record(conflict, q, rng) for q in quotes],
        extractor=ExtractorName.LLM,
        model="bench-fake",
        prompt_version="extract-v1",
        usage=Usage(prompt_tokens=1000, completion_tokens=100, calls=1),
    )
