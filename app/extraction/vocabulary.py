"""The words of SPEC §1 that tables, API shapes and the LLM contract all use."""

from enum import StrEnum


class RecordKind(StrEnum):
    """What a record is about."""

    NEGOTIATION = "negotiation"
    CEASEFIRE = "ceasefire"
    SURRENDER = "surrender"
    PRISONER_EXCHANGE = "prisoner_exchange"
    PEACE_AGREEMENT = "peace_agreement"


class RecordStatus(StrEnum):
    """The development a record reports."""

    PROPOSED = "proposed"
    SCHEDULED = "scheduled"
    ONGOING = "ongoing"
    STALLED = "stalled"
    COLLAPSED = "collapsed"
    AGREED = "agreed"
    EXTENDED = "extended"
    VIOLATED = "violated"
    ENDED = "ended"
    COMPLETED = "completed"


class ActorKind(StrEnum):
    """What sort of actor a party or third party is."""

    STATE = "state"
    ARMED_FORCES = "armed_forces"
    ARMED_GROUP = "armed_group"
    COALITION = "coalition"
    ORGANIZATION = "organization"
    OTHER = "other"


class ThirdPartyRole(StrEnum):
    """What a third party does in the process."""

    MEDIATOR = "mediator"
    HOST = "host"
    FACILITATOR = "facilitator"
    OBSERVER = "observer"
    GUARANTOR = "guarantor"


class TalksFormat(StrEnum):
    """How negotiations are held."""

    DIRECT = "direct"
    INDIRECT = "indirect"
    SHUTTLE = "shuttle"
    VIRTUAL = "virtual"


class CountQualifier(StrEnum):
    """How exact a stated count is."""

    EXACT = "exact"
    APPROXIMATE = "approximate"
    AT_LEAST = "at_least"


class ExtractorName(StrEnum):
    """Which extractor produced a record."""

    LLM = "llm"
    RULES = "rules"
