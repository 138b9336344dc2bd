"""The curated country tables load, and refuse contradictory entries."""

import pytest

from app.normalize.country_tables import build_country_tables, country_tables


def test_curated_alias_overrides_pycountry_name() -> None:
    tables = build_country_tables({"COD": {"aliases": ["Congo"]}}, {})
    assert tables.actor_words["congo"] == "COD"


def test_alias_claimed_by_two_countries_is_rejected() -> None:
    curated = {"SDN": {"aliases": ["Sudan Republic"]}, "SSD": {"aliases": ["Sudan Republic"]}}
    with pytest.raises(ValueError, match="names both"):
        build_country_tables(curated, {})


def test_place_naming_a_different_country_than_a_capital_is_rejected() -> None:
    with pytest.raises(ValueError, match="names both"):
        build_country_tables({"SDN": {"capitals": ["Khartoum"]}}, {"EGY": ["Khartoum"]})


def test_unknown_iso3_without_alpha_2_is_rejected() -> None:
    with pytest.raises(ValueError, match="not an ISO 3166-1 alpha-3"):
        build_country_tables({"QQQ": {"aliases": ["Qland"]}}, {})


def test_code_outside_pycountry_is_added_with_its_alpha_2() -> None:
    tables = build_country_tables({"XKX": {"alpha_2": "XK", "display": "Kosovo"}}, {})
    assert tables.codes["xk"] == tables.codes["xkx"] == "XKX"
    assert tables.display["XKX"] == "Kosovo"


def test_shipped_tables_load_and_map_only_to_known_codes() -> None:
    tables = country_tables()
    assert len(tables.display) >= 250
    assert set(tables.actor_words.values()) <= set(tables.display)
    assert set(tables.location_words.values()) <= set(tables.display)
