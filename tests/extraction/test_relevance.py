"""The relevance gate: any record kind's trigger lets an article through; other news does not."""

import pytest

from app.extraction.relevance import is_relevant


@pytest.mark.parametrize(
    "text",
    [
        "The two sides held talks in Doha on Sunday.",
        "Negotiators met again in Cairo.",
        "Qatar offered to mediate between the sides.",
        "A ceasefire took effect at dawn.",
        "The cease-fire was broken within hours.",
        "The truce expired on Friday.",
        "Both armies agreed a cessation of hostilities.",
        "Forty fighters surrendered to the army.",
        "Two colonels defected to the opposition.",
        "The militants laid down their arms.",
        "The prisoner swap took place at the border.",
        "Kyiv and Moscow exchanged 95 prisoners each.",
        "Hamas released 24 hostages overnight.",
        "The peace deal was signed in Washington.",
        "Both leaders signed a framework agreement.",
    ],
)
def test_trigger_sentence_is_relevant(text: str) -> None:
    assert is_relevant(text)


@pytest.mark.parametrize(
    "text",
    [
        "The central bank kept interest rates unchanged on Thursday.",
        "The striker scored twice as the home side won 3-1.",
        "Heavy rain flooded parts of the city overnight.",
        "The company reported record quarterly profits.",
    ],
)
def test_unrelated_news_is_rejected(text: str) -> None:
    assert not is_relevant(text)


def test_title_alone_can_make_an_article_relevant() -> None:
    assert is_relevant("Officials spoke to reporters.", title="Truce agreed in Sudan")


def test_trigger_inside_another_word_does_not_count() -> None:
    assert not is_relevant("Brands like Smalltalks and Truceco sold well.")
