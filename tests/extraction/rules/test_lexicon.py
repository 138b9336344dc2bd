"""Every pattern in the rules extractor's data files, checked against its own examples."""

import pytest

from app.extraction.contract import RECORD_KINDS, RECORD_STATUSES
from app.extraction.rules.cues import Trigger, find_count, find_status, find_triggers, is_background
from app.extraction.rules.lexicon import Cue, load_lexicon

LEXICON = load_lexicon()


def _examples(cues: tuple[Cue, ...]) -> list[tuple[Cue, str]]:
    return [(cue, example) for cue in cues for example in cue.examples]


def _id(case: tuple[Cue, str]) -> str:
    return f"{case[0].label}:{case[1][:40]}"


def test_every_pattern_documents_at_least_one_example() -> None:
    cues = LEXICON.triggers + LEXICON.statuses + LEXICON.roles_after + LEXICON.roles_before
    assert all(cue.examples for cue in cues + LEXICON.background)


@pytest.mark.parametrize("case", _examples(LEXICON.triggers), ids=_id)
def test_trigger_example_yields_its_kind(case: tuple[Cue, str]) -> None:
    cue, example = case
    assert cue.regex.search(example)
    assert cue.label in {t.kind for t in find_triggers(example, LEXICON)}


@pytest.mark.parametrize("case", _examples(LEXICON.statuses), ids=_id)
def test_status_cue_example_matches(case: tuple[Cue, str]) -> None:
    cue, example = case
    assert cue.label in RECORD_STATUSES
    assert cue.regex.search(example)


@pytest.mark.parametrize("case", _examples(LEXICON.roles_after + LEXICON.roles_before), ids=_id)
def test_role_cue_example_matches(case: tuple[Cue, str]) -> None:
    cue, example = case
    assert cue.regex.search(example)


@pytest.mark.parametrize("case", _examples(LEXICON.background), ids=_id)
def test_background_cue_example_marks_background(case: tuple[Cue, str]) -> None:
    assert is_background(case[1], LEXICON)


def test_plain_news_sentence_is_not_background() -> None:
    assert not is_background("The two sides signed a ceasefire on Sunday.", LEXICON)


def test_every_kind_has_a_default_status() -> None:
    assert set(LEXICON.status_defaults) == set(RECORD_KINDS)


def test_ceasefire_talks_are_a_negotiation_not_a_ceasefire() -> None:
    kinds = {t.kind for t in find_triggers("Ceasefire talks opened in Doha.", LEXICON)}
    assert kinds == {"negotiation"}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The ceasefire collapsed within hours of taking effect.", "collapsed"),
        ("The warring parties extended the truce by 72 hours.", "extended"),
        ("Both sides accused each other of violating the truce.", "violated"),
        ("The government offered a ceasefire to the rebels.", "proposed"),
        ("A ceasefire is holding along the front line.", "ongoing"),
        ("The truce expired at midnight.", "ended"),
        ("The ceasefire in Gaza will take effect on Friday.", "scheduled"),
    ],
)
def test_nearest_status_cue_decides(sentence: str, expected: str) -> None:
    trigger = next(t for t in find_triggers(sentence, LEXICON) if t.kind == "ceasefire")
    assert find_status(sentence, trigger, LEXICON) == expected


def test_kind_default_applies_without_a_cue() -> None:
    trigger = Trigger("prisoner_exchange", 4, 17)
    assert find_status("The prisoner swap of Tuesday.", trigger, LEXICON) == "completed"


def test_named_actor_aliases_resolve_to_one_group() -> None:
    assert LEXICON.named_actors["RSF"] == LEXICON.named_actors["Rapid Support Forces"]
    assert LEXICON.named_actors["RSF"].country == "SDN"


def test_places_have_iso3_countries() -> None:
    assert all(len(code) == 3 and code.isupper() for code in LEXICON.places.values())
    assert LEXICON.places["Geneva"] == "CHE"
    assert "Doha" in LEXICON.capitals


@pytest.mark.parametrize("example", LEXICON.boilerplate.examples)
def test_boilerplate_example_is_page_furniture(example: str) -> None:
    assert LEXICON.boilerplate.regex.search(example)


def test_a_news_sentence_is_not_boilerplate() -> None:
    assert not LEXICON.boilerplate.regex.search("Latest talks between the two sides collapsed.")


@pytest.mark.parametrize("example", LEXICON.held.examples)
def test_held_cue_example_matches(example: str) -> None:
    assert LEXICON.held.regex.search(example)


def test_a_later_cue_supersedes_agreed() -> None:
    sentence = "A truce brokered by Qatar took effect on Sunday."
    trigger = next(t for t in find_triggers(sentence, LEXICON) if t.kind == "ceasefire")
    assert find_status(sentence, trigger, LEXICON) == "ongoing"


def test_a_cue_beyond_a_clause_boundary_does_not_count() -> None:
    sentence = "Talks resumed in Ankara as Turkey is pushing for influence in Africa."
    trigger = next(t for t in find_triggers(sentence, LEXICON) if t.kind == "negotiation")
    assert find_status(sentence, trigger, LEXICON) == "ongoing"


def test_people_who_came_along_are_not_the_count() -> None:
    sentence = "312 fighters surrendered, accompanied by 540 women and children."
    trigger = next(t for t in find_triggers(sentence, LEXICON) if t.kind == "surrender")
    count = find_count(sentence, LEXICON, trigger)
    assert count is not None
    assert count.value == 312


def test_compound_number_words_count() -> None:
    count = find_count("Forty-eight bandits surrendered.", LEXICON)
    assert count is not None
    assert count.value == 48


def test_leaders_stand_for_their_state() -> None:
    assert LEXICON.named_actors["Zelensky"].country == "UKR"


def test_over_after_a_verb_is_not_more_than() -> None:
    sentence = "Hamas handed over six hostages to Israel."
    trigger = next(t for t in find_triggers(sentence, LEXICON) if t.kind == "prisoner_exchange")
    count = find_count(sentence, LEXICON, trigger)
    assert count is not None
    assert (count.value, count.qualifier) == (6, "exact")


def test_breaching_is_a_violation() -> None:
    sentence = "Cambodia accused Thai troops of breaching the ceasefire."
    trigger = next(t for t in find_triggers(sentence, LEXICON) if t.kind == "ceasefire")
    assert find_status(sentence, trigger, LEXICON) == "violated"
