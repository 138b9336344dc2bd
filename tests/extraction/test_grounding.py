"""Grounding: evidence quotes located in the article, tolerant only of typography."""

import re

from hypothesis import given
from hypothesis import strategies as st

from app.extraction.grounding import (
    DASHES,
    QUOTE_MARKS,
    GroundedQuote,
    TextIndex,
    clean_quote,
    ground,
    locate,
    normalise,
)

ARTICLE = (
    "Colombia’s government and a major guerrilla group said Monday they would resume peace "
    "negotiations that have been stalled since July.\n\nThe talks — held in Havana — will "
    "resume “without preconditions”, the rebels' negotiator said."
)


def span_text(quote: str, text: str) -> str | None:
    span = locate(quote, text)
    return None if span is None else text[span[0] : span[1]]


def test_straight_apostrophe_matches_curly_one() -> None:
    assert span_text("Colombia's government", ARTICLE) == "Colombia’s government"


def test_straight_double_quotes_match_curly_ones() -> None:
    assert span_text('resume "without preconditions", the', ARTICLE) == (
        "resume “without preconditions”, the"
    )


def test_curly_apostrophe_in_quote_matches_straight_one_in_text() -> None:
    assert span_text("the rebels’ negotiator", ARTICLE) == "the rebels' negotiator"


def test_hyphen_with_spaces_matches_em_dash_with_spaces() -> None:
    assert span_text("The talks - held in Havana - will", ARTICLE) == (
        "The talks — held in Havana — will"
    )


def test_em_dash_without_spaces_matches_spaced_dash() -> None:
    assert span_text("Kyiv—Moscow talks", "The Kyiv – Moscow talks resumed.") == (
        "Kyiv – Moscow talks"
    )


def test_newline_in_text_matches_space_in_quote() -> None:
    assert span_text("since July. The talks", ARTICLE) == "since July.\n\nThe talks"


def test_quote_wrapped_in_quote_marks_and_spaces_is_trimmed() -> None:
    assert span_text('  "said Monday they would resume"  ', ARTICLE) == (
        "said Monday they would resume"
    )


# -- quote marks at the edges of a quote: kept when the article has them there --

TRUCE_STORY = (
    "The envoy spoke briefly. “We have a truce until Friday,” she told reporters, adding "
    "that the ‘monitoring committee’ would meet daily. A rebel spokesman answered: "
    "«Nous respectons la trêve». Officials called it 'fragile but real'. Aid reached the "
    "villagers' homes by evening."
)


def test_opening_and_closing_quote_marks_in_the_article_are_part_of_the_span() -> None:
    assert span_text('"We have a truce until Friday,"', TRUCE_STORY) == (
        "“We have a truce until Friday,”"
    )


def test_a_quote_ending_with_the_articles_closing_mark_keeps_it() -> None:
    assert span_text("truce until Friday,”", TRUCE_STORY) == "truce until Friday,”"


def test_a_quote_opening_with_the_articles_mark_keeps_it() -> None:
    assert span_text("“We have a truce", TRUCE_STORY) == "“We have a truce"


def test_guillemets_at_both_ends_are_kept() -> None:
    assert span_text('"Nous respectons la trêve"', TRUCE_STORY) == "«Nous respectons la trêve»"


def test_single_quote_marks_at_both_ends_are_kept() -> None:
    assert span_text("‘monitoring committee’", TRUCE_STORY) == "‘monitoring committee’"
    assert span_text("'fragile but real'", TRUCE_STORY) == "'fragile but real'"


def test_a_closing_apostrophe_is_kept() -> None:
    assert span_text("Aid reached the villagers'", TRUCE_STORY) == "Aid reached the villagers'"


def test_a_mark_the_model_added_where_the_article_has_none_is_left_out() -> None:
    # The article closes the quotation after "Friday,": the model's closing mark is its own.
    assert span_text('"We have a truce until Friday"', TRUCE_STORY) == (
        "“We have a truce until Friday"
    )
    assert span_text("“The envoy spoke briefly.”", TRUCE_STORY) == "The envoy spoke briefly."


def test_grounded_quotes_are_the_articles_own_characters() -> None:
    found, _ = ground(['"We have a truce until Friday," she told', "the 'monitoring"], TRUCE_STORY)
    assert [q.quote for q in found] == [
        "“We have a truce until Friday,” she told",
        "the ‘monitoring",
    ]
    assert all(TRUCE_STORY[q.start : q.end] == q.quote for q in found)


def test_a_differing_word_is_not_found() -> None:
    assert locate("said Tuesday they would resume", ARTICLE) is None


def test_case_differences_are_not_tolerated() -> None:
    assert locate("colombia’s government", ARTICLE) is None


def test_other_punctuation_is_not_tolerated() -> None:
    assert locate("stalled since July, The talks", ARTICLE) is None


def test_offsets_are_exact_on_text_with_multibyte_characters() -> None:
    text = "Ертоғрул 🕊️ said: “Die Waffenruhe gilt ab Montag” — Zürich."
    start, end = locate('"Die Waffenruhe gilt ab Montag"', text) or (0, 0)
    assert text[start:end] == "“Die Waffenruhe gilt ab Montag”"
    assert start == text.index("“Die")


def test_quote_appearing_twice_is_located_at_first_occurrence() -> None:
    text = "Talks resumed. Later: Talks resumed."
    assert locate("Talks resumed", text) == (0, 13)


def test_empty_or_blank_quote_is_rejected() -> None:
    assert locate("", ARTICLE) is None
    assert locate('  " "  ', ARTICLE) is None


def test_ground_splits_found_and_missing_quotes() -> None:
    found, missing = ground(["Colombia's government", "an invented sentence"], ARTICLE)
    assert found == [GroundedQuote("Colombia’s government", 0, len("Colombia’s government"))]
    assert missing == ["an invented sentence"]


def test_clean_quote_strips_nested_marks_and_whitespace() -> None:
    assert clean_quote(" “ ‘talks resumed’ ” ") == "talks resumed"


def test_index_locates_many_quotes_in_a_long_article_quickly() -> None:
    import time

    text = " ".join(f"Sentence number {i} — about “talks”." for i in range(1500))
    assert len(text) > 40_000
    index = TextIndex(text)
    began = time.perf_counter()
    spans = [index.locate(f'Sentence number {i} - about "talks"') for i in range(0, 1500, 50)]
    assert all(spans)
    assert time.perf_counter() - began < 0.5


# -- property: a substring perturbed only by allowed differences is found where it was --

BODY_ALPHABET = st.sampled_from(list("abc XYZ.,;\n\tçé日本") + list(QUOTE_MARKS) + list(DASHES))


@st.composite
def article_with_quote(draw: st.DrawFn) -> tuple[str, str, int, int]:
    prefix = draw(st.text(BODY_ALPHABET, max_size=60))
    inner = draw(st.text(BODY_ALPHABET, max_size=80))
    suffix = draw(st.text(BODY_ALPHABET, max_size=60))
    # Quote marks may open and close the passage; they belong to its span.
    opening = draw(st.text(st.sampled_from(QUOTE_MARKS), max_size=2))
    closing = draw(st.text(st.sampled_from(QUOTE_MARKS), max_size=2))
    # Ω occurs nowhere else, so the first occurrence is the original one.
    core = f"{opening}Ω{inner}Ω{closing}"
    text = prefix + core + suffix
    return text, perturb(draw, core), len(prefix), len(prefix) + len(core)


def perturb(draw: st.DrawFn, core: str) -> str:
    pieces = re.split(r"(\s+)", core)
    out: list[str] = []
    for piece in pieces:
        if piece and piece.isspace():
            out.append(draw(st.sampled_from([" ", "\n", "  ", "\n\n", "\t "])))
            continue
        for char in piece:
            if char in QUOTE_MARKS:
                out.append(draw(st.sampled_from(QUOTE_MARKS)))
            elif char in DASHES:
                pad = draw(st.sampled_from(["", " "]))
                out.append(pad + draw(st.sampled_from(DASHES)) + pad)
            else:
                out.append(char)
    return "".join(out)


@given(article_with_quote())
def test_perturbed_substring_is_located_at_its_original_offsets(
    case: tuple[str, str, int, int],
) -> None:
    text, quote, start, end = case
    assert locate(quote, text) == (start, end)


@st.composite
def article_and_any_quote(draw: st.DrawFn) -> tuple[str, str]:
    text = draw(st.text(BODY_ALPHABET, max_size=120))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    wrap = draw(st.sampled_from(["", '"', "“", "'", "«"]))
    return text, wrap + perturb(draw, text[start:end]) + wrap


@given(article_and_any_quote())
def test_every_grounded_quote_is_exactly_its_span_of_the_article(case: tuple[str, str]) -> None:
    text, quote = case
    found, _ = ground([quote], text)
    for q in found:
        assert text[q.start : q.end] == q.quote


def test_every_whitespace_character_counts_as_whitespace() -> None:
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    for space in spaces:
        assert normalise(f"a{space}b") == "a b", repr(space)
        assert locate("a b", f"x a{space}{space}b") == (2, 6)
