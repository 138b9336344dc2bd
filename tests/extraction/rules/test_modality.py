"""Negation and modality scopes (NegEx-style): triggers, directions, windows, terminations,
pseudo-triggers, and the examples documenting every entry of data/modality.yaml."""

import pytest

from app.extraction.rules.cues import find_triggers
from app.extraction.rules.lexicon import load_lexicon
from app.extraction.rules.modality import Mood, ScopeCue, find_scopes, load_modality

LEXICON = load_lexicon()
MODALITY = load_modality()


def _moods(sentence: str) -> list[tuple[str, Mood]]:
    scopes = find_scopes(sentence, MODALITY)
    return [(t.kind, scopes.mood_at(t.start)) for t in find_triggers(sentence, LEXICON)]


def _examples() -> list[tuple[ScopeCue, str]]:
    return [(cue, example) for cue in MODALITY.cues for example in cue.examples]


def test_every_trigger_entry_documents_examples() -> None:
    assert all(cue.examples for cue in MODALITY.cues)
    assert MODALITY.examples["pseudo"]
    assert MODALITY.examples["denies_previous"]


@pytest.mark.parametrize("case", _examples(), ids=lambda case: f"{case[0].mood}:{case[1][:40]}")
def test_trigger_example_puts_a_record_kind_in_its_mood(case: tuple[ScopeCue, str]) -> None:
    cue, example = case
    assert cue.regex.search(example)
    assert cue.mood in {mood for _, mood in _moods(example)}


@pytest.mark.parametrize("example", MODALITY.examples["pseudo"])
def test_pseudo_trigger_opens_no_scope(example: str) -> None:
    assert {mood for _, mood in _moods(example)} == {"asserted"}


@pytest.mark.parametrize("example", MODALITY.examples["denies_previous"])
def test_denial_of_the_sentence_before_is_recognised(example: str) -> None:
    assert MODALITY.denies_previous.search(example)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Kenya and Uganda signed a peace agreement on Monday.", [("peace_agreement", "asserted")]),
        (
            "Talks between Israel and Hamas are aimed at a ceasefire.",
            [("negotiation", "asserted"), ("ceasefire", "hypothetical")],
        ),
        (
            "Israel and Hezbollah agreed a ceasefire that could pave the way for peace talks.",
            [("ceasefire", "asserted"), ("negotiation", "hypothetical")],
        ),
        (
            "The truce between the two, which might be extended, took effect on Sunday.",
            [("ceasefire", "asserted")],
        ),
        ("A ceasefire could be announced within days.", [("ceasefire", "hypothetical")]),
        ("The truce agreed on Sunday could collapse.", [("ceasefire", "asserted")]),
    ],
)
def test_scopes_run_forward_or_back_and_stop_at_terminations(
    sentence: str, expected: list[tuple[str, Mood]]
) -> None:
    assert _moods(sentence) == expected


def test_a_scope_reaches_only_its_window() -> None:
    far = "The army did not attack the town, and weeks later the two sides signed a truce."
    assert _moods(far) == [("ceasefire", "asserted")]


def test_verbs_that_take_the_development_as_given_end_a_scope() -> None:
    assert _moods("Israel did not respect the ceasefire.") == [("ceasefire", "asserted")]


def test_negation_wins_over_a_proposal() -> None:
    assert _moods("The rebels refused to promise a truce.") == [("ceasefire", "negated")]


def test_a_proposal_covers_the_kind_it_governs() -> None:
    sentence = "The president pledged to protect soldiers who surrender voluntarily."
    assert _moods(sentence) == [("surrender", "proposed")]


def test_a_denial_covers_the_whole_sentence() -> None:
    sentence = "Russia said 40 marines had surrendered near the river, a claim Kyiv denied."
    assert _moods(sentence) == [("surrender", "denied")]


def test_a_status_cue_inside_a_hypothetical_scope_is_not_asserted() -> None:
    sentence = "The truce, which might be extended, took effect on Sunday."
    scopes = find_scopes(sentence, MODALITY)
    assert not scopes.asserts(sentence.index("extended"))
    assert scopes.asserts(sentence.index("took effect"))


def test_a_date_is_governed_by_a_trigger_before_it_not_by_a_modal_after_it() -> None:
    aim = "Talks aim to produce a ceasefire by April."
    assert not find_scopes(aim, MODALITY).dates_freely(aim.index("April"))
    began = "The talks, which began on Monday and could last ten days, are closed."
    assert find_scopes(began, MODALITY).dates_freely(began.index("Monday"))
