"""The API's country and mediator filters accept any spelling and reject unknown values."""

import pytest

from app.errors import InvalidInput
from app.normalize import country_filter, mediator_filter


@pytest.mark.parametrize(
    ("value", "expected"),
    [("SDN", "SDN"), ("sd", "SDN"), ("Sudan", "SDN"), ("Türkiye", "TUR"), ("DRC", "COD")],
)
def test_country_filter_gives_iso3(value: str, expected: str) -> None:
    assert country_filter(value) == expected


@pytest.mark.parametrize("value", ["Atlantis", "Hamas", "", "UN"])
def test_country_filter_rejects_unknown_country(value: str) -> None:
    with pytest.raises(InvalidInput, match="unknown country") as raised:
        country_filter(value)
    assert raised.value.status_code == 422
    assert repr(value) in raised.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("TR", "TUR"),
        ("UN", "United Nations"),
        ("United Nations", "United Nations"),
        ("African Union", "African Union"),
        ("AU", "African Union"),
        ("Vatican", "VAT"),
    ],
)
def test_mediator_filter_gives_iso3_or_canonical_name(value: str, expected: str) -> None:
    assert mediator_filter(value) == expected


def test_two_letter_organisation_alias_wins_over_iso2_only_for_mediators() -> None:
    assert mediator_filter("AU") == "African Union"
    assert country_filter("AU") == "AUS"


@pytest.mark.parametrize("value", ["Atlantis", "Hamas", "   "])
def test_mediator_filter_rejects_unknown_mediator(value: str) -> None:
    with pytest.raises(InvalidInput, match="unknown mediator"):
        mediator_filter(value)
