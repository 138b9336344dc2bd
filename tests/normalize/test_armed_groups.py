"""Armed groups: every spelling an outlet uses resolves to one canonical name."""

import pytest

from app.normalize.armed_groups import armed_group_entries, armed_group_name
from app.normalize.country_tables import country_tables
from app.normalize.organisations import organisation_name


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ELN", "National Liberation Army"),
        ("the ELN", "National Liberation Army"),
        ("ELN rebels", "National Liberation Army"),
        ("Ejército de Liberación Nacional", "National Liberation Army"),
        ("EMBF dissidents", "Estado Mayor de Bloques y Frente"),
        ("SDF fighters", "Syrian Democratic Forces"),
        ("the Kurdish-led forces", "Syrian Democratic Forces"),
        ("Pakistani Taliban", "Tehreek-e-Taliban Pakistan"),
        ("Taliban government", "Taliban"),
        ("Ta’ang National Liberation Army", "Ta'ang National Liberation Army"),
        ("Frente Polisario", "Polisario Front"),
    ],
)
def test_spellings_resolve_to_the_canonical_name(value: str, expected: str) -> None:
    assert armed_group_name(value) == expected


@pytest.mark.parametrize(
    "value",
    ["Hamas and Islamic Jihad", "Iran-backed Houthis", "the army", "rebels", "Bahamas", ""],
)
def test_names_with_no_single_group_resolve_to_none(value: str) -> None:
    # Two groups, a group handed to a backer, generic words: no one group is named.
    assert armed_group_name(value) is None


def test_every_entry_has_a_kind_and_a_country_code_or_none() -> None:
    codes = country_tables().display
    for entry in armed_group_entries():
        assert entry["kind"] in {"armed_group", "armed_forces", "coalition"}, entry["name"]
        assert entry["country"] is None or entry["country"] in codes, entry["name"]


def test_no_spelling_names_both_a_group_and_an_organisation() -> None:
    for entry in armed_group_entries():
        for spelling in [entry["name"], *entry.get("aliases", [])]:
            assert organisation_name(spelling) is None, spelling
