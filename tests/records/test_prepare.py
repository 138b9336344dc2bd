"""Preparing records for storage: every kept evidence item is exactly the article's text at its
offsets (SPEC §2, "Exact evidence"), whichever extractor quoted it and however it spelled it."""

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from app.extraction.contract import ArticleInput, ExtractedRecord
from app.extraction.rules.extractor import RulesExtractor
from app.records.prepare import prepare
from tests.support.corpus import load_corpus
from tests.support.quoted import ARTICLES, QUOTE_PAIRS, inexact, straightened

RULES = RulesExtractor()

# Reports a rules extractor recognises, written for this test.
REPORTS = [
    "Sudan and the Rapid Support Forces agreed a ceasefire in Jeddah",
    "The truce between Armenia and Azerbaijan will be extended by a week",
    "Ukraine and Russia exchanged 90 prisoners of war",
    "Talks between Colombia and the ELN will resume in Havana next month",
    "More than 300 soldiers surrendered to the army near the border",
]
ATTRIBUTIONS = ["", " the envoy said.", " officials told reporters on Monday."]


def evidence_of(text: str, records: list[ExtractedRecord]) -> list[dict[str, object]]:
    """What would be stored as evidence for `records` of `text`."""
    kept, _dropped = prepare(records, text)
    return [vars(q) for p in kept for q in p.evidence]


def record(*evidence: str) -> ExtractedRecord:
    """A record a model might return, quoting `evidence`."""
    return ExtractedRecord(
        kind="ceasefire", status="agreed", summary="A ceasefire.", evidence=[*evidence]
    )


def test_gold_corpus_evidence_from_the_rules_extractor_is_exact() -> None:
    checked = 0
    for article in load_corpus():
        stamp = article["published_at"]
        published = datetime.fromisoformat(stamp) if stamp else None
        result = RULES.extract_sync(
            ArticleInput(text=article["text"], title=article["title"], published_at=published)
        )
        evidence = evidence_of(article["text"], result.records)
        checked += len(evidence)
        assert inexact(article["text"], evidence) == [], article["id"]
    assert checked > 30


def test_written_articles_keep_the_marks_their_sentences_open_and_close_with() -> None:
    for text, sentences in ARTICLES:
        result = RULES.extract_sync(ArticleInput(text=text))
        evidence = evidence_of(text, result.records)

        assert inexact(text, evidence) == []
        assert set(sentences) <= {item["quote"] for item in evidence}


def test_a_models_straight_marks_are_stored_as_the_articles_own() -> None:
    for text, sentences in ARTICLES:
        evidence = evidence_of(text, [record(*(straightened(s) for s in sentences))])

        assert [item["quote"] for item in evidence] == sentences
        assert inexact(text, evidence) == []


@st.composite
def quoted_article(draw: st.DrawFn) -> str:
    """An article of reports, each perhaps opening or closing a quotation, then attributed."""
    paragraphs = []
    for report in draw(st.lists(st.sampled_from(REPORTS), min_size=1, max_size=4)):
        opening, closing = draw(st.sampled_from([("", ""), *QUOTE_PAIRS]))
        opening = draw(st.sampled_from([opening, ""]))
        attribution = draw(st.sampled_from(ATTRIBUTIONS))
        stop = "," if attribution else draw(st.sampled_from([".", "!"]))
        paragraphs.append(f"{opening}{report}{stop}{closing}{attribution}")
    return draw(st.sampled_from(["\n\n", " "])).join(paragraphs)


@given(quoted_article())
def test_every_stored_evidence_item_of_the_rules_extractor_is_exact(text: str) -> None:
    result = RULES.extract_sync(ArticleInput(text=text))
    evidence = evidence_of(text, result.records)

    assert evidence, "the reports are ones the rules extractor recognises"
    assert inexact(text, evidence) == []


@given(quoted_article(), st.data())
def test_every_stored_evidence_item_of_a_model_is_exact(text: str, data: st.DataObject) -> None:
    # A model quotes a stretch of the article, respelling its marks and perhaps adding its own.
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    wrap = data.draw(st.sampled_from(["", '"', "'", "“"]))
    quote = wrap + straightened(text[start:end]) + wrap

    evidence = evidence_of(text, [record(quote)])

    assert inexact(text, evidence) == []
