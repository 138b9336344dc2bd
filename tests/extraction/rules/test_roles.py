"""Who is a side, a third party, a voice or a place in one sentence."""

import pytest

from app.extraction.rules.entities import find_mentions
from app.extraction.rules.lexicon import load_lexicon
from app.extraction.rules.roles import Roles, assign_roles, find_claimant, location_near

LEXICON = load_lexicon()


def _roles(sentence: str) -> Roles:
    return assign_roles(sentence, find_mentions(sentence, LEXICON), LEXICON)


def _sides(sentence: str) -> set[str]:
    return {m.country or m.name for m in _roles(sentence).parties}


def _third(sentence: str) -> dict[str, str]:
    return {m.country or m.name: role for m, role in _roles(sentence).third_parties}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Talks were hosted by Angola in its capital.", {"AGO": "host"}),
        ("Angola hosted the meeting of the two sides.", {"AGO": "host"}),
        ("Talks resumed under Kazakh mediation.", {"KAZ": "mediator"}),
        ("They swapped prisoners, with the UAE acting as an intermediary.", {"ARE": "mediator"}),
        (
            "A truce brokered by Qatar, Egypt and the United States took effect.",
            {"QAT": "mediator", "EGY": "mediator", "USA": "mediator"},
        ),
        (
            "The talks are co-hosted by Switzerland and Saudi Arabia.",
            {"CHE": "host", "SAU": "host"},
        ),
        (
            "Saudi and American mediators met the delegations.",
            {"SAU": "mediator", "USA": "mediator"},
        ),
        ("Norway and Cuba acted as guarantors.", {"NOR": "guarantor", "CUB": "guarantor"}),
        ("The truce will be monitored by the United Nations.", {"United Nations": "observer"}),
        ("Kyiv thanked the UAE for its mediation.", {"ARE": "mediator"}),
        ("Qatar offered to mediate between the two.", {"QAT": "mediator"}),
    ],
)
def test_third_parties_from_cues_on_either_side(sentence: str, expected: dict[str, str]) -> None:
    assert _third(sentence) == expected


def test_a_comma_alone_joins_no_list() -> None:
    assert _third("The exchange was mediated by the United Arab Emirates, Kyiv said.") == {
        "ARE": "mediator"
    }


def test_a_cue_that_opens_the_sentence_ends_its_list_at_the_comma() -> None:
    sentence = "Through the mediation of Saudi Arabia, Russia and Ukraine exchanged prisoners."
    assert _third(sentence) == {"SAU": "mediator"}
    assert _sides(sentence) == {"RUS", "UKR"}


def test_a_list_of_third_parties_stops_at_a_generic_side() -> None:
    sentence = "With the help of Norway, the Philippine government and the rebels resumed talks."
    assert _third(sentence) == {"NOR": "facilitator"}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Sudan's army and the RSF agreed a truce, Saudi Arabia and the United States said.",
            {"SDN"},
        ),
        (
            "The European Union on Wednesday welcomed the truce agreed by Armenia and Azerbaijan.",
            {"ARM", "AZE"},
        ),
        ("Iran condemned the deal signed by Israel and the United Arab Emirates.", {"ISR", "ARE"}),
        ("Pakistan urged India to return to the negotiating table.", {"IND", "PAK"}),
        ("Russia said 40 Ukrainian marines had surrendered.", {"RUS", "UKR"}),
        ("Malaysia's foreign ministry called on both sides to respect the ceasefire.", set()),
        ("The truce starts on Sunday, according to a text released by the Saudi ministry.", set()),
    ],
)
def test_voices_are_sides_only_when_the_sentence_needs_them(
    sentence: str, expected: set[str]
) -> None:
    assert _sides(sentence) == expected


def test_an_actor_commented_on_in_the_passive_is_not_the_commenter() -> None:
    sentence = "The deal signed by Kenya and Uganda has been hailed in Washington and Brussels."
    assert _sides(sentence) == {"KEN", "UGA"}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Russia's defence ministry said 40 marines surrendered, a claim Kyiv denied.",
            "Russia's defence ministry",
        ),
        ("The Kremlin denied Ukrainian claims that 300 conscripts had surrendered.", "Ukrainian"),
        ("Reports that the rebels had surrendered were denied by their spokesman.", None),
    ],
)
def test_the_claimant_of_a_denied_claim(sentence: str, expected: str | None) -> None:
    roles = _roles(sentence)
    assert find_claimant(sentence, roles, find_mentions(sentence, LEXICON)) == expected


@pytest.mark.parametrize(
    ("sentence", "trigger", "expected"),
    [
        ("In Sudan, the army and the RSF began talks in Jeddah.", "talks", "Jeddah"),
        ("Talks continued in Doha, even as fighting flared near Goma.", "Talks", "Doha"),
        (
            "Congo and Rwanda agreed a truce at a meeting hosted by Angola in its capital.",
            "truce",
            "Luanda",
        ),
        ("The exchange is the first under the Doha deal.", "exchange", None),
        ("The deal was hailed in Washington, Doha and Addis Ababa.", "deal", "Washington"),
    ],
)
def test_the_place_of_a_development(sentence: str, trigger: str, expected: str | None) -> None:
    start = sentence.index(trigger)
    place = location_near(sentence, _roles(sentence), start, start + len(trigger))
    assert (place.name if place else None) == expected
    assert not _sides(sentence) & {"QAT", "ETH", "USA"} or "hosted" in sentence
