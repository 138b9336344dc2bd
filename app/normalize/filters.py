"""The API's `country` and `mediator` query filters, read with the same normaliser as records."""

from app.errors import InvalidInput
from app.normalize.countries import country_code
from app.normalize.organisations import organisation_name


def country_filter(value: str) -> str:
    """ISO3 for a `country` filter ("Türkiye", "TR", "tur"); InvalidInput when unknown."""
    code = country_code(value)
    if code is None:
        raise InvalidInput(f"unknown country: {value!r}")
    return code


def mediator_filter(value: str) -> str:
    """ISO3 or canonical organisation name for a `mediator` filter; InvalidInput when unknown."""
    identity = organisation_name(value) or country_code(value)
    if identity is None:
        raise InvalidInput(f"unknown mediator: {value!r}")
    return identity
