"""Countries: every way a model or a user names a state comes out as one ISO3 code."""

import pycountry
import pytest

from app.normalize import country_code, country_in_name, country_name, country_word, place_country


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Democratic Republic of the Congo", "COD"),
        ("Russia", "RUS"),
        ("Russian Federation", "RUS"),
        ("Syria", "SYR"),
        ("Iran", "IRN"),
        ("Islamic Republic of Iran", "IRN"),
        ("South Korea", "KOR"),
        ("North Korea", "PRK"),
        ("Vietnam", "VNM"),
        ("Viet Nam", "VNM"),
        ("Sudan", "SDN"),
        ("South Sudan", "SSD"),
        ("Georgia", "GEO"),
        ("Laos", "LAO"),
        ("Bolivia", "BOL"),
        ("Tanzania", "TZA"),
        ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
    ],
)
def test_country_name_maps_to_iso3(value: str, expected: str) -> None:
    assert country_code(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("sd", "SDN"), ("SD", "SDN"), ("SDN", "SDN"), ("sdn", "SDN"), ("Tr", "TUR"), ("ua", "UKR")],
)
def test_iso_codes_in_any_case_map_to_iso3(value: str, expected: str) -> None:
    assert country_code(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sudanese", "SDN"),
        ("South Sudanese", "SSD"),
        ("Russian", "RUS"),
        ("Ukrainian", "UKR"),
        ("Azerbaijani", "AZE"),
        ("Azeri", "AZE"),
        ("Israeli", "ISR"),
        ("Palestinian", "PSE"),
        ("Congolese", "COD"),
        ("Nigerien", "NER"),
        ("Nigerian", "NGA"),
        ("Emirati", "ARE"),
        ("Burkinabè", "BFA"),
    ],
)
def test_demonym_maps_to_country_code(value: str, expected: str) -> None:
    assert country_code(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("DRC", "COD"),
        ("DR Congo", "COD"),
        ("D.R. Congo", "COD"),
        ("Congo", "COD"),
        ("Republic of the Congo", "COG"),
        ("Congo-Brazzaville", "COG"),
        ("U.S.", "USA"),
        ("US", "USA"),
        ("USA", "USA"),
        ("the U.S.", "USA"),
        ("United States of America", "USA"),
        ("UK", "GBR"),
        ("U.K.", "GBR"),
        ("Britain", "GBR"),
        ("UAE", "ARE"),
        ("Türkiye", "TUR"),
        ("Turkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Ivory Coast", "CIV"),
        ("Côte d'Ivoire", "CIV"),
        ("Cote d’Ivoire", "CIV"),
        ("Burma", "MMR"),
        ("Czechia", "CZE"),
        ("Czech Republic", "CZE"),
        ("Holland", "NLD"),
        ("the Netherlands", "NLD"),
        ("Kremlin", "RUS"),
        ("Vatican", "VAT"),
        ("Holy See", "VAT"),
    ],
)
def test_short_form_maps_to_country_code(value: str, expected: str) -> None:
    assert country_code(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Kyiv", "UKR"),
        ("Kiev", "UKR"),
        ("Moscow", "RUS"),
        ("Washington", "USA"),
        ("Beijing", "CHN"),
        ("Ankara", "TUR"),
        ("Tehran", "IRN"),
        ("Khartoum", "SDN"),
        ("Kinshasa", "COD"),
        ("Kigali", "RWA"),
        ("Baku", "AZE"),
        ("Yerevan", "ARM"),
        ("Doha", "QAT"),
        ("Cairo", "EGY"),
        ("Riyadh", "SAU"),
        ("Abu Dhabi", "ARE"),
        ("N'Djamena", "TCD"),
    ],
)
def test_capital_standing_for_its_state_maps_to_country_code(value: str, expected: str) -> None:
    assert country_code(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Kosovo", "XKX"),
        ("XK", "XKX"),
        ("xkx", "XKX"),
        ("Kosovar", "XKX"),
        ("Palestine", "PSE"),
        ("State of Palestine", "PSE"),
        ("Gaza", "PSE"),
        ("Gaza Strip", "PSE"),
        ("West Bank", "PSE"),
    ],
)
def test_kosovo_and_palestine_have_their_codes(value: str, expected: str) -> None:
    assert country_code(value) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Government of Colombia", "COL"),
        ("Sudanese Armed Forces", "SDN"),
        ("the Sudanese army", "SDN"),
        ("Colombian government", "COL"),
        ("Russian soldiers", "RUS"),
        ("Myanmar military junta", "MMR"),
        ("Ukraine's military intelligence", "UKR"),
        ("Ukraine’s Defence Intelligence", "UKR"),
        ("Defence Intelligence of Ukraine", "UKR"),
        ("Armed Forces of the Democratic Republic of the Congo", "COD"),
        ("Ministry of Foreign Affairs of Qatar", "QAT"),
        ("U.S. envoy Tom Perriello", "USA"),
        ("Chinese President Xi Jinping", "CHN"),
        ("Kyiv's forces", "UKR"),
        ("Pope Francis", "VAT"),
    ],
)
def test_state_actor_name_gives_its_country(name: str, expected: str) -> None:
    assert country_in_name(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"), [("Russians", "RUS"), ("Israelis", "ISR"), ("Palestinians", "PSE")]
)
def test_plural_demonym_in_actor_name_gives_its_country(name: str, expected: str) -> None:
    assert country_in_name(name) == expected


@pytest.mark.parametrize(
    "value", ["Government of Colombia", "Russian soldiers", "Chinese President Xi Jinping"]
)
def test_country_code_reads_whole_names_only(value: str) -> None:
    assert country_code(value) is None
    assert country_in_name(value) is not None


@pytest.mark.parametrize(
    "value",
    [
        "Hamas",
        "Hezbollah",
        "Houthis",
        "M23",
        "Rapid Support Forces",
        "Atlantis",
        "Islamic State",
        "Jerusalem",
        "Korean",
        "Three Brotherhood Alliance",
        "Iran-backed Houthis",
        "Russian-backed separatists",
        "Russia-Ukraine talks",
        "Egypt and Qatar",
        "Egyptian-Qatari mediators",
        "League of Arab States",
        "Indian Ocean",
        "",
        "   ",
        "!!!",
    ],
)
def test_unknown_or_ownerless_names_give_none(value: str) -> None:
    assert country_code(value) is None
    assert country_in_name(value) is None


def test_none_gives_none() -> None:
    assert country_code(None) is None
    assert country_in_name(None) is None


@pytest.mark.parametrize("name", ["IS", "SD", "ARM"])
def test_bare_code_is_not_read_as_an_actor_name(name: str) -> None:
    assert country_code(name) is not None
    assert country_in_name(name) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("COD", "Democratic Republic of the Congo"),
        ("COG", "Republic of the Congo"),
        ("RUS", "Russia"),
        ("KOR", "South Korea"),
        ("XKX", "Kosovo"),
        ("PSE", "Palestine"),
        ("sdn", "Sudan"),
    ],
)
def test_country_name_gives_display_name(code: str, expected: str) -> None:
    assert country_name(code) == expected


def test_country_name_returns_unknown_code_unchanged() -> None:
    assert country_name("QQQ") == "QQQ"


def test_every_iso3_code_and_display_name_round_trips() -> None:
    codes = [country.alpha_3 for country in pycountry.countries] + ["XKX"]
    for code in codes:
        assert country_code(code) == code
        assert country_code(country_name(code)) == code, country_name(code)


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Geneva", "CHE"),
        ("Geneva, Switzerland", "CHE"),
        ("Intercontinental Hotel, Geneva", "CHE"),
        ("Jeddah", "SAU"),
        ("Ankara", "TUR"),
        ("Switzerland", "CHE"),
        ("northern Shan state", "MMR"),
        ("South Darfur", "SDN"),
        ("eastern Congo", "COD"),
        ("Crimea", "UKR"),
        ("Brussels", "BEL"),
    ],
)
def test_location_name_places_event_in_country(place: str, expected: str) -> None:
    assert place_country(place) == expected


@pytest.mark.parametrize("place", ["Jerusalem", "Sudanese", "a hotel", "Indian Ocean", ""])
def test_location_without_curated_place_has_no_country(place: str) -> None:
    assert place_country(place) is None


@pytest.mark.parametrize(("value", "expected"), [("DRC", "COD"), ("UK", "GBR"), ("AT", None)])
def test_country_word_reads_curated_abbreviations_but_no_bare_iso_code(
    value: str, expected: str | None
) -> None:
    assert country_word(value) == expected
