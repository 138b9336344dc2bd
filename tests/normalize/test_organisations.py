"""Organisations: aliases and leading names resolve to one canonical display name."""

import pytest

from app.normalize import country_in_name, organisation_name
from app.normalize.country_tables import country_tables
from app.normalize.organisations import build_organisation_tables, organisation_tables


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("UN", "United Nations"),
        ("U.N.", "United Nations"),
        ("the United Nations", "United Nations"),
        ("UN Security Council", "United Nations"),
        ("UNSC", "United Nations"),
        ("UN special envoy", "United Nations"),
        ("UN envoy Volker Perthes", "United Nations"),
        ("UNHCR", "United Nations"),
        ("UNICEF", "United Nations"),
        ("OCHA", "United Nations"),
        ("WFP", "United Nations"),
        ("UNAMI", "United Nations"),
        ("MONUSCO", "United Nations"),
        ("AU", "African Union"),
        ("AU Commission", "African Union"),
        ("African Union Commission chairperson", "African Union"),
        ("EU", "European Union"),
        ("E.U.", "European Union"),
        ("European Commission", "European Union"),
        ("IGAD", "Intergovernmental Authority on Development"),
        ("ECOWAS", "Economic Community of West African States"),
        ("SADC", "Southern African Development Community"),
        ("EAC", "East African Community"),
        ("OSCE", "Organization for Security and Co-operation in Europe"),
        ("OSCE Minsk Group", "Organization for Security and Co-operation in Europe"),
        ("ICRC", "International Committee of the Red Cross"),
        ("International Committee of the Red Cross", "International Committee of the Red Cross"),
        ("Red Cross", "International Committee of the Red Cross"),
        ("Arab League", "Arab League"),
        ("League of Arab States", "Arab League"),
        ("GCC", "Gulf Cooperation Council"),
        ("Gulf Cooperation Council", "Gulf Cooperation Council"),
        ("ASEAN", "Association of Southeast Asian Nations"),
        ("NATO", "NATO"),
        ("OIC", "Organisation of Islamic Cooperation"),
        ("Organization of Islamic Cooperation", "Organisation of Islamic Cooperation"),
        ("Organisation of Islamic Cooperation", "Organisation of Islamic Cooperation"),
        ("OAS", "Organization of American States"),
        ("CSTO", "Collective Security Treaty Organization"),
        ("Commonwealth", "Commonwealth of Nations"),
        ("Quartet", "Middle East Quartet"),
        ("BRICS", "BRICS"),
        ("Sant’Egidio", "Community of Sant'Egidio"),
    ],
)
def test_alias_maps_to_canonical_organisation(value: str, expected: str) -> None:
    assert organisation_name(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "Hamas",
        "Sudan",
        "Holy See",
        "Vatican",
        "UN-backed government",
        "UN and AU",
        "Commonwealth of Dominica",
        "Quartet members",
        "Sudanese Armed Forces",
        "",
    ],
)
def test_non_organisation_gives_none(value: str) -> None:
    assert organisation_name(value) is None


def test_commonwealth_of_independent_states_is_not_the_commonwealth() -> None:
    assert organisation_name("Commonwealth of Independent States") == (
        "Commonwealth of Independent States"
    )


def test_no_organisation_alias_is_also_a_country_name() -> None:
    country_words = country_tables().actor_words
    clashes = {
        key: country_words[key] for key in organisation_tables().whole if key in country_words
    }
    assert clashes == {}


@pytest.mark.parametrize("name", ["African Union", "European Union", "Arab League", "OAS"])
def test_organisation_name_does_not_read_as_a_country(name: str) -> None:
    assert country_in_name(name) is None


def test_every_canonical_name_maps_to_itself() -> None:
    for name in organisation_tables().names:
        assert organisation_name(name) == name


def test_alias_shared_by_two_organisations_is_rejected() -> None:
    entries = [{"name": "Alpha", "aliases": ["AB"]}, {"name": "Beta", "aliases": ["A.B."]}]
    with pytest.raises(ValueError, match="names two bodies"):
        build_organisation_tables(entries)
