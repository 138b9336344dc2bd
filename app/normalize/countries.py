"""Countries: whatever a model or a user wrote -> ISO 3166-1 alpha-3, and back to a name."""

from functools import lru_cache

from app.normalize.country_tables import CountryTables, country_tables
from app.normalize.keys import key_words, normal_key
from app.normalize.phrases import institution_of_tails, leading_owner, without_direction


@lru_cache(maxsize=16384)
def country_code(value: str | None) -> str | None:
    """ISO3 for a whole country name, ISO2/ISO3 code, demonym, alias or capital.

    "DRC", "the U.S.", "sd", "Sudanese", "Kyiv" resolve; "Hamas" and "Atlantis" give None.
    Only whole strings: "Russian President Vladimir Putin" is for `country_in_name`.
    """
    if not value:
        return None
    key = normal_key(value)
    tables = country_tables()
    return tables.actor_words.get(key) or tables.codes.get(key)


@lru_cache(maxsize=16384)
def country_word(value: str | None) -> str | None:
    """ISO3 for a country's name, curated alias, demonym or capital, never a bare ISO code.

    "DRC", "UK" and "US" resolve (curated); "AT", "TO" and "IN", words of a headline in
    capitals, do not, where `country_code` would read Austria, Tonga and India.
    """
    if not value:
        return None
    return country_tables().actor_words.get(normal_key(value))


@lru_cache(maxsize=16384)
def country_in_name(name: str | None) -> str | None:
    """ISO3 of the state an actor's name names, by exact curated rules, codes aside.

    "Turkey", "the Sudanese army", "Government of Colombia", "Ukraine's military intelligence",
    "Russian soldiers" resolve; "Iran-backed Houthis" and "Russia-Ukraine talks" do not.
    Bare codes are not read here: an actor called "IS" is not Iceland.
    """
    if not name:
        return None
    return _from_words(key_words(name), country_tables())


@lru_cache(maxsize=16384)
def place_country(name: str | None) -> str | None:
    """ISO3 of the country a location's name places it in ("Geneva", "Darfur, Sudan")."""
    if not name:
        return None
    table = country_tables().location_words
    segments = [words for words in (key_words(part) for part in name.split(",")) if words]
    for words in (segments[0], segments[-1]) if segments else ():
        code = table.get(" ".join(words))
        narrowed = without_direction(words)
        if code is None and narrowed is not None:
            code = table.get(" ".join(narrowed))
        if code is not None:
            return code
    return None


def names_a_country(place: str | None) -> bool:
    """Whether a location's name is a country's or territory's own ("Western Sahara", "DRC"),
    not a town or region in it ("Kabul", "Darfur")."""
    return bool(place) and normal_key(place or "") in country_tables().names


def country_name(code: str) -> str:
    """Display name of an ISO3 code ("COD" -> "Democratic Republic of the Congo").

    An unknown code comes back unchanged, so display never fails.
    """
    return country_tables().display.get(code.upper(), code)


def _from_words(words: list[str], tables: CountryTables) -> str | None:
    """Whole-name hit first, then "<institution> of X", then a leading country or demonym."""
    if not words:
        return None
    table = tables.actor_words
    code = table.get(" ".join(words))
    if code is not None:
        return code
    for tail in institution_of_tails(words):
        code = table.get(" ".join(tail))
        if code is not None:
            return code
    return leading_owner(words, table, tables.max_words)
