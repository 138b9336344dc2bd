"""The one-pass trigger check answers exactly as the cues' own case-insensitive patterns joined
would, on any text: the relevance gate and the rules extractor rely on it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.extraction.rules.any_trigger import AnyTrigger
from app.extraction.rules.lexicon import load_lexicon, word_regex

LEXICON = load_lexicon()
# The reference: every compiled cue, joined as they are, matched ignoring case.
JOINED_CUES = word_regex("|".join(cue.regex.pattern for cue in LEXICON.triggers))
EXAMPLES = [example for cue in LEXICON.triggers for example in cue.examples]
WORDS = ["the", "talks", "truce", "prisoners", "council", "budget", "POW", "round", "of", "and"]
SEPARATORS = [" ", " ", "-", "'", "’", ", ", ". ", "\n"]
# Letters that case-insensitive matching folds unlike str.lower, and others that look alike.
ODD_LETTERS = ["İ", "ı", "ſ", "K", "ß", "Σ", "ς", "é", "\u0307"]


def _recased(text: str, flips: list[bool]) -> str:
    return "".join(c.upper() if flip else c for c, flip in zip(text, flips + [False] * len(text)))


pieces = st.one_of(st.sampled_from(EXAMPLES), st.sampled_from(WORDS), st.sampled_from(ODD_LETTERS))


@settings(max_examples=500)
@given(
    st.lists(st.tuples(pieces, st.sampled_from(SEPARATORS)), max_size=12),
    st.lists(st.booleans(), max_size=200),
    st.lists(st.tuples(st.integers(0, 200), st.sampled_from(ODD_LETTERS)), max_size=3),
)
def test_it_answers_as_the_joined_cues_do(
    parts: list[tuple[str, str]], flips: list[bool], odd: list[tuple[int, str]]
) -> None:
    text = _recased("".join(p + s for p, s in parts), flips)
    for at, letter in odd:
        text = text[:at] + letter + text[at:]

    assert LEXICON.any_trigger.found_in(text) == (JOINED_CUES.search(text) is not None)


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_documented_trigger_example_is_found_in_any_case(example: str) -> None:
    for text in (example, example.upper(), example.title()):
        assert LEXICON.any_trigger.found_in(text), text


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("The council approved its budget for parks.", False),
        ("CEASEFIRE HOLDS IN THE NORTH", True),
        ("The truſe held.", False),  # ſ is an s: "truse" is no trigger
        ("A ceaſefire held.", True),  # but "ceasefire" with a long s is one, as re.I says
        ("US-mediated talks resumed", True),
        ("contalks", False),
    ],
)
def test_it_reads_case_and_word_boundaries_as_the_cues_do(text: str, found: bool) -> None:
    assert LEXICON.any_trigger.found_in(text) is found
    assert (JOINED_CUES.search(text) is not None) is found


def test_a_pattern_with_an_upper_case_escape_is_refused() -> None:
    with pytest.raises(ValueError, match="upper-case escape"):
        AnyTrigger.of([r"talks\W+ended"])
    assert AnyTrigger.of([r"POWs?"]).found_in("pows")
