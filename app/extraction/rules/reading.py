"""First pass: read an article sentence by sentence into draft records and role notes.

Dates are resolved against a reference that moves with the text (the last month named, the day
a statement was made). A sentence with no record of its own may still name a third party ("The
exchange was mediated by the UAE": a note for the record before it) or deny the claim of the
sentence before ("Kyiv denied the claim": that record is attributed to its claimant).
"""

import re
from dataclasses import dataclass, field
from datetime import date

from app.extraction.contract import ActorKind, ThirdPartyRole
from app.extraction.rules.calendar import Reference
from app.extraction.rules.cues import find_triggers
from app.extraction.rules.dates import advance, dateline_end, dateline_place, read_phrases
from app.extraction.rules.drafting import Draft, Read, draft_sentence
from app.extraction.rules.entities import Mention, find_mentions, lookup_country
from app.extraction.rules.lexicon import Lexicon
from app.extraction.rules.modality import find_scopes, load_modality
from app.extraction.rules.roles import assign_roles
from app.extraction.rules.sentences import Sentence, split_sentences

# Words that may name a third party's role; only sentences with one are read for a note.
_ROLE_WORDS = re.compile(
    r"mediat|host|broker|facilitat|auspices|observer|guarant|monitor|intermediar|go-between"
    r"|chair|envoy",
    re.IGNORECASE,
)
_FUTURE_STATUSES = frozenset({"scheduled", "proposed"})
_LEAD_SENTENCES = 2
_SENTENCE_WORDS = 6
# A digest's section heading: a country in capitals, a colon ("INDIA: ULFA-I AT THE TABLE.").
_SECTION = re.compile(r"\s*([A-Z][A-Z .'’-]{2,40}):")


@dataclass
class Note:
    """Third parties a sentence without a record of its own names, and whose conflict it is."""

    third_parties: list[tuple[Mention, ThirdPartyRole]]
    countries: set[str]
    # How many drafts came before it: the note belongs to the last of them.
    after: int


@dataclass
class Reading:
    """An article's drafts in reading order, and its role notes."""

    drafts: list[Draft] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def read_article(text: str, published: date | None, lexicon: Lexicon) -> Reading:
    """Drafts for every sentence that asserts a record, and notes for the role-only ones."""
    reading = Reading()
    reference = Reference(published)
    last_round: int | None = None
    previous: list[Draft] = []
    read_so_far = 0  # sentences of reporting (page furniture and short lines left out)
    section: tuple[str, int] | None = None  # a heading's country, and where its paragraph ends
    for sentence in split_sentences(text):
        if lexicon.boilerplate.regex.search(sentence.text):
            continue
        section = _section(sentence, text) or section
        lead = read_so_far < _LEAD_SENTENCES
        read_so_far += len(sentence.text.split()) >= _SENTENCE_WORDS
        triggers = find_triggers(sentence.text, lexicon)
        if not triggers:
            _deny_previous(sentence, previous)
            _note(reading, sentence, lexicon)
            continue
        read = _read(sentence, published, reference, lexicon)
        new = draft_sentence(read, triggers, lexicon, last_round)
        for draft in new:
            draft.lead = lead
            draft.section = section[0] if section and sentence.start < section[1] else None
        future = any(d.status in _FUTURE_STATUSES for d in new)
        reference = advance(read.phrases, reference, future)
        last_round = _latest_round(new, last_round)
        if new:
            reading.drafts += new
            previous = new
        else:
            _add_note(reading, read.roles.third_parties, read.roles.parties)
    return reading


def _section(sentence: Sentence, text: str) -> tuple[str, int] | None:
    """The country a digest's section heading names, and the end of its paragraph."""
    heading = _SECTION.match(sentence.text)
    if heading is None:
        return None
    country = lookup_country(heading.group(1).strip().title())
    if country is None:
        return None
    end = text.find("\n", sentence.start)
    return country, len(text) if end < 0 else end


def _latest_round(drafts: list[Draft], last_round: int | None) -> int | None:
    """ "next round" counts from the latest round held, not from one merely planned."""
    held = [d.round for d in drafts if d.round is not None and d.status not in _FUTURE_STATUSES]
    return max([*held, last_round or 0]) or None


def _read(
    sentence: Sentence, published: date | None, reference: Reference, lexicon: Lexicon
) -> Read:
    text = sentence.text
    skip = dateline_end(text)
    mentions = [m for m in find_mentions(text, lexicon) if m.start >= skip]
    return Read(
        dateline=_dateline(text, lexicon),
        sentence=sentence,
        mentions=mentions,
        roles=assign_roles(text, mentions, lexicon),
        scopes=find_scopes(text, load_modality()),
        phrases=read_phrases(text),
        published=published,
        reference=reference,
    )


def _dateline(text: str, lexicon: Lexicon) -> Mention | None:
    name = dateline_place(text)
    if name is None:
        return None
    code = lexicon.places.get(name) or lookup_country(name)
    if code is None:
        return None
    city = name in lexicon.places
    return Mention(0, len(name), name, ActorKind.STATE, code, city, name in lexicon.capitals)


def _deny_previous(sentence: Sentence, previous: list[Draft]) -> None:
    """ "Kyiv denied the claim": the sentence before made a claim, now attributed."""
    if not previous or not load_modality().denies_previous.search(sentence.text):
        return
    for draft in previous:
        draft.attributed_to = draft.claimant
        draft.signals.add("denied")


def _note(reading: Reading, sentence: Sentence, lexicon: Lexicon) -> None:
    if not _ROLE_WORDS.search(sentence.text):
        return
    mentions = find_mentions(sentence.text, lexicon)
    roles = assign_roles(sentence.text, mentions, lexicon)
    _add_note(reading, roles.third_parties, roles.parties)


def _add_note(
    reading: Reading, third: list[tuple[Mention, ThirdPartyRole]], parties: list[Mention]
) -> None:
    if third:
        countries = {m.country for m in parties if m.country}
        reading.notes.append(Note(third, countries, len(reading.drafts)))
