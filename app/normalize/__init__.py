"""Normalisation (SPEC §2): countries to ISO 3166-1 alpha-3, organisations to canonical names.

The curated vocabulary and its documented decisions live in app/normalize/data/*.yaml.
"""

from app.normalize.countries import (
    country_code,
    country_in_name,
    country_name,
    country_word,
    place_country,
)
from app.normalize.filters import country_filter, mediator_filter
from app.normalize.organisations import organisation_name

__all__ = [
    "country_code",
    "country_filter",
    "country_in_name",
    "country_name",
    "country_word",
    "mediator_filter",
    "organisation_name",
    "place_country",
]
