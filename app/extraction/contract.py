"""The extraction contract (SPEC §1): what an extractor, LLM or rules, returns.

These models are what the LLM is asked to fill in, so every field carries a description the
model sees. They are never tables and never API shapes: `app.records.store` maps them explicitly.
"""

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from app.extraction.vocabulary import ActorKind as ActorKind
from app.extraction.vocabulary import CountQualifier as CountQualifier
from app.extraction.vocabulary import ExtractorName as ExtractorName
from app.extraction.vocabulary import RecordKind as RecordKind
from app.extraction.vocabulary import RecordStatus as RecordStatus
from app.extraction.vocabulary import TalksFormat as TalksFormat
from app.extraction.vocabulary import ThirdPartyRole as ThirdPartyRole

RECORD_KINDS: tuple[RecordKind, ...] = tuple(RecordKind)
RECORD_STATUSES: tuple[RecordStatus, ...] = tuple(RecordStatus)

PARTIAL_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


class Actor(BaseModel):
    """A side of the conflict."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200, description="Name as the article gives it.")
    kind: ActorKind = Field(
        description="state, armed_forces, armed_group, coalition, organization or other."
    )
    country: str | None = Field(
        default=None,
        max_length=100,
        description="Country the actor belongs to (name or ISO code); null for international "
        "organisations.",
    )


class ThirdParty(Actor):
    """A mediator, host, facilitator, observer or guarantor."""

    role: ThirdPartyRole = Field(description="What the third party does in the process.")


class Place(BaseModel):
    """Where the development takes or took place."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=200, description="Venue, city or area.")
    country: str | None = Field(
        default=None, max_length=100, description="Country of the place (name or ISO code)."
    )


class ExtractedRecord(BaseModel):
    """One development in a negotiation, ceasefire, surrender, exchange or peace agreement."""

    # The model sees "Record": the name the prompt and earlier answers use.
    model_config = ConfigDict(extra="ignore", title="Record")

    kind: RecordKind = Field(
        description="What the record is about. A mediation offer, talks round or invitation to "
        "talks is a negotiation."
    )
    status: RecordStatus = Field(
        description="The development reported. proposed: offered/called for/invited/sought. "
        "scheduled: agreed to happen later (incl. 'will resume'). ongoing: under way/being "
        "held/in force. stalled: paused. collapsed: broke down/cancelled/failed. agreed: reached "
        "or signed. extended, violated, ended (expired). completed: carried out."
    )
    summary: str = Field(
        default="",
        max_length=300,
        description="One English sentence a news editor would accept.",
    )
    parties: list[Actor] = Field(
        default_factory=list,
        description="The sides that negotiate, cease fire, surrender, exchange or sign.",
    )
    mediators: list[ThirdParty] = Field(
        default_factory=list,
        description="Third parties: mediators, hosts, facilitators, observers, guarantors.",
    )
    location: Place | None = Field(default=None, description="Where it takes or took place.")
    date: str | None = Field(
        default=None,
        pattern=PARTIAL_DATE,
        description="YYYY, YYYY-MM or YYYY-MM-DD of the development; resolve relative phrases "
        "against the publication date.",
    )
    end_date: str | None = Field(
        default=None,
        pattern=PARTIAL_DATE,
        description="End of a ceasefire or talks round, when stated (same format).",
    )
    round: int | None = Field(default=None, ge=0, le=1000, description="Round number of talks.")
    format: TalksFormat | None = Field(
        default=None,
        description="Negotiations only: direct, indirect (proximity talks), shuttle or virtual.",
    )
    topics: list[str] = Field(
        default_factory=list, description="Short agenda items, e.g. 'humanitarian access'."
    )
    count: int | None = Field(
        default=None, ge=0, description="People surrendered, released or exchanged, when stated."
    )
    count_qualifier: CountQualifier | None = Field(
        default=None, description="exact, approximate, or at_least ('more than 300')."
    )
    programme: str | None = Field(
        default=None, max_length=200, description="A named programme, e.g. a surrender hotline."
    )
    attributed_to: str | None = Field(
        default=None, max_length=200, description="Who makes the claim, when attributed."
    )
    background: bool = Field(
        default=False,
        description="True when mentioned only as context (earlier rounds, old deals).",
    )
    evidence: list[str] = Field(
        min_length=1,
        max_length=3,
        description="1-3 verbatim quotes from the article that support the record.",
    )
    # Left out of the schema the model sees: how sure the rules extractor is that the record
    # is right (0-1, calibrated on its case table); the LLM path leaves it null.
    confidence: SkipJsonSchema[float | None] = Field(default=None, ge=0.0, le=1.0)


class ExtractionAnswer(BaseModel):
    """The object the model returns."""

    # The model's only tool is named after this title: "Extraction", as in prompt v1.
    model_config = ConfigDict(extra="ignore", title="Extraction")

    records: list[ExtractedRecord] = Field(
        default_factory=list,
        description="Every negotiation, ceasefire, surrender, prisoner exchange and peace "
        "agreement development the article reports; empty when there is none.",
    )


@dataclass(frozen=True)
class ArticleInput:
    """What an extractor reads: the stored text and the metadata that anchors dates."""

    text: str
    title: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    url: str | None = None


@dataclass
class Usage:
    """Tokens an extraction spent, summed over chunks and re-asks."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0

    def add(self, other: "Usage") -> None:
        """Accumulate another call's usage into this one."""
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.calls += other.calls


@dataclass
class Dropped:
    """A record the extractor returned but that was not kept, and why."""

    kind: str
    reason: str
    evidence: list[str] = field(default_factory=list)


@dataclass
class ExtractionResult:
    """An extractor's answer for one article, with what it cost and what it dropped."""

    records: list[ExtractedRecord]
    extractor: ExtractorName
    model: str | None = None
    prompt_version: str | None = None
    usage: Usage = field(default_factory=Usage)
    dropped: list[Dropped] = field(default_factory=list)
    skipped_by_gate: bool = False
    # How the LLM was asked ("sync", or "batch": the Batch API) and the estimated cost (USD).
    mode: str = "sync"
    cost_usd: float | None = None
