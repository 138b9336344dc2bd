"""From an extractor's answer to records fit to store: grounded in the article's reporting,
screened for injected text, normalised. Pure: `parley extract` uses it with no database."""

from dataclasses import dataclass

from app.extraction import contract
from app.extraction.grounding import GroundedQuote, TextIndex
from app.extraction.injection import screen, without_planted_facts
from app.extraction.vocabulary import ThirdPartyRole
from app.records.normalise import mediator_identity, normalise_record, record_countries

EVIDENCE_NOT_FOUND = "evidence not found in article"
EVIDENCE_SCREENED = "evidence quotes text that addresses a model, not reporting"


@dataclass
class PreparedRecord:
    """A record that passed grounding, normalised, with what the indexes need."""

    record: contract.ExtractedRecord
    evidence: list[GroundedQuote]
    countries: list[str]
    mediators: dict[str, ThirdPartyRole]


def prepare(
    records: list[contract.ExtractedRecord], text: str
) -> tuple[list[PreparedRecord], list[contract.Dropped]]:
    """Keep the records grounded in `text`'s reporting; normalise them for storage.

    A quote must be found in the text, outside any passage that addresses a model (see
    `app.extraction.injection`); names and dates stated only in such passages are removed.
    """
    kept: list[PreparedRecord] = []
    dropped: list[contract.Dropped] = []
    if not records:  # an article the relevance gate turned away: nothing to ground or screen
        return kept, dropped
    index = TextIndex(text)  # normalising the article dominates grounding: do it once
    article = screen(text)
    for raw in records:
        quotes, _missing = index.ground(raw.evidence)
        found = [q for q in quotes if not article.covers(q.start, q.end)]
        if not found:
            reason = EVIDENCE_SCREENED if quotes else EVIDENCE_NOT_FOUND
            dropped.append(contract.Dropped(raw.kind, reason, list(raw.evidence)))
            continue
        record = normalise_record(without_planted_facts(raw, article, [q.quote for q in found]))
        mediators: dict[str, ThirdPartyRole] = {}
        for party in record.mediators:
            identity = mediator_identity(party)
            if identity is not None:
                mediators.setdefault(identity, party.role)
        kept.append(PreparedRecord(record, found, record_countries(record), mediators))
    return kept, dropped
