"""Normalising a whole record: ISO3 countries, canonical organisations, searchable countries."""

from typing import TypeVar

from app.extraction.contract import Actor, ExtractedRecord, Place, ThirdParty
from app.normalize.countries import country_code, country_in_name, place_country
from app.normalize.organisations import organisation_name

ActorT = TypeVar("ActorT", bound=Actor)


def actor_country(actor: Actor) -> str | None:
    """ISO3 an actor belongs to: its stated country, else the one its name names.

    International organisations belong to no country.
    """
    if organisation_name(actor.name) is not None:
        return None
    return _stated_country(actor.country) or country_in_name(actor.name)


def _stated_country(value: str | None) -> str | None:
    """ISO3 of a model-written `country`, unless it names an organisation.

    Models put "UN" or "AU" in `country` for envoys; "AU" is not Australia there. A phrase
    ("Sudanese government") is read like an actor's name.
    """
    if organisation_name(value) is not None:
        return None
    return country_code(value) or country_in_name(value)


def normalise_actor(actor: ActorT) -> ActorT:
    """A copy whose country is ISO3 or None; an organisation also gets its canonical name."""
    organisation = organisation_name(actor.name)
    if organisation is not None:
        return actor.model_copy(update={"name": organisation, "country": None})
    return actor.model_copy(update={"country": actor_country(actor)})


def location_country(place: Place) -> str | None:
    """ISO3 of a place: its stated country, else the one its (curated) name is in."""
    return _stated_country(place.country) or place_country(place.name)


def normalise_record(record: ExtractedRecord) -> ExtractedRecord:
    """A new record with every country ISO3 or None and organisations under canonical names."""
    location = record.location
    return record.model_copy(
        update={
            "parties": [normalise_actor(party) for party in record.parties],
            "mediators": [normalise_actor(mediator) for mediator in record.mediators],
            "location": None
            if location is None
            else location.model_copy(update={"country": location_country(location)}),
        },
        deep=True,
    )


def mediator_identity(party: ThirdParty) -> str | None:
    """ISO3 for a state, canonical name for an organisation, None when neither is known.

    An envoy whose `country` names an organisation ("UN") stands for that organisation.
    """
    return organisation_name(party.name) or actor_country(party) or organisation_name(party.country)


def record_countries(record: ExtractedRecord) -> list[str]:
    """Sorted unique ISO3 of the parties' countries; the location's when no party has one."""
    codes = {code for code in map(actor_country, record.parties) if code is not None}
    if not codes and record.location is not None:
        code = location_country(record.location)
        if code is not None:
            codes.add(code)
    return sorted(codes)
