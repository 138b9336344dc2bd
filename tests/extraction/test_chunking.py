"""Chunking: long articles split on natural boundaries; duplicate records folded back."""

from itertools import pairwise
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.extraction.chunking import Chunk, merge, split
from app.extraction.contract import ExtractedRecord


def paragraph(i: int) -> str:
    return " ".join(f"Paragraph {i} sentence {j} reports on the talks." for j in range(8))


ARTICLE = "\n\n".join(paragraph(i) for i in range(30))


def record(kind: Any = "ceasefire", status: Any = "agreed", *evidence: str) -> ExtractedRecord:
    return ExtractedRecord(kind=kind, status=status, evidence=list(evidence) or ["a quote"])


def test_short_text_is_one_chunk() -> None:
    assert split("Short article.", size=100, overlap=10) == [Chunk(0, "Short article.")]


def test_chunks_respect_the_size_limit_and_point_into_the_text() -> None:
    chunks = split(ARTICLE, size=2_000, overlap=200)
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk.text) <= 2_000
        assert ARTICLE[chunk.start : chunk.end] == chunk.text


def test_chunks_end_at_paragraph_breaks_when_there_is_one() -> None:
    chunks = split(ARTICLE, size=2_000, overlap=200)
    assert all(chunk.text.endswith("\n\n") for chunk in chunks[:-1])


def test_chunks_fall_back_to_sentence_ends_without_paragraphs() -> None:
    text = ARTICLE.replace("\n\n", " ")
    chunks = split(text, size=2_000, overlap=200)
    assert all(chunk.text.rstrip().endswith(".") for chunk in chunks)


def test_consecutive_chunks_overlap_and_start_at_a_sentence() -> None:
    chunks = split(ARTICLE, size=2_000, overlap=200)
    for before, after in pairwise(chunks):
        shared = before.end - after.start
        assert 0 < shared <= 200
        assert after.text.startswith("Paragraph")


def test_text_without_any_whitespace_is_cut_hard() -> None:
    chunks = split("x" * 1_000, size=300, overlap=50)
    assert [len(c.text) for c in chunks[:-1]] == [300] * (len(chunks) - 1)
    assert chunks[-1].end == 1_000


@given(
    st.text(st.sampled_from(list("ab .\n!")), max_size=3_000),
    st.integers(min_value=20, max_value=600),
    st.integers(min_value=0, max_value=300),
)
def test_every_character_is_covered(text: str, size: int, overlap: int) -> None:
    chunks = split(text, size=size, overlap=overlap)
    assert chunks[0].start == 0
    assert chunks[-1].end == len(text)
    for before, after in pairwise(chunks):
        assert before.start < after.start <= before.end
    assert all(len(c.text) <= size for c in chunks)


def test_merge_folds_a_record_found_in_two_chunks_with_the_same_quote() -> None:
    first = record("ceasefire", "agreed", "The truce took effect at noon.")
    again = record("ceasefire", "agreed", "The truce took effect at noon.", "Both sides agreed.")
    merged = merge([[first], [again]])
    assert len(merged) == 1
    assert merged[0].evidence == ["The truce took effect at noon.", "Both sides agreed."]


def test_merge_treats_quotes_differing_in_typography_as_the_same() -> None:
    merged = merge(
        [
            [record("negotiation", "scheduled", "Talks will resume — officials said")],
            [record("negotiation", "scheduled", "Talks will resume - officials said")],
        ]
    )
    assert len(merged) == 1


def test_merge_folds_a_quote_cut_shorter_at_a_chunk_edge() -> None:
    merged = merge(
        [
            [record("surrender", "completed", "Some 300 soldiers surrendered on Sunday, it says")],
            [record("surrender", "completed", "soldiers surrendered on Sunday")],
        ]
    )
    assert len(merged) == 1


def test_merge_keeps_records_of_different_status_even_with_shared_evidence() -> None:
    merged = merge(
        [
            [record("ceasefire", "agreed", "The ceasefire agreed in May collapsed.")],
            [record("ceasefire", "collapsed", "The ceasefire agreed in May collapsed.")],
        ]
    )
    assert [r.status for r in merged] == ["agreed", "collapsed"]


def test_merge_keeps_same_kind_records_with_unrelated_evidence() -> None:
    merged = merge(
        [
            [record("prisoner_exchange", "completed", "95 prisoners were swapped.")],
            [record("prisoner_exchange", "completed", "A second swap freed 40 more.")],
        ]
    )
    assert len(merged) == 2


def test_merge_caps_evidence_at_three_quotes() -> None:
    merged = merge(
        [
            [record("ceasefire", "ended", "q one", "q two", "q three")],
            [record("ceasefire", "ended", "q one", "q four")],
        ]
    )
    assert merged[0].evidence == ["q one", "q two", "q three"]
