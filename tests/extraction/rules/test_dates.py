"""Dates in a sentence, resolved against the publication date."""

from datetime import date

import pytest

from app.extraction.rules.dates import Dates, sentence_dates

PUBLISHED = date(2024, 8, 14)  # a Wednesday


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Talks were held on Tuesday.", Dates("2024-08-13")),
        ("Talks will resume on Monday.", Dates("2024-08-19")),
        ("The ceasefire was agreed yesterday.", Dates("2024-08-13")),
        ("The next round is scheduled for September 17 in Ankara.", Dates("2024-09-17")),
        ("A truce from July 14-18 was agreed.", Dates("2024-07-14", "2024-07-18")),
        ("The truce was extended to July 31.", Dates(None, "2024-07-31")),
        ("The group agreed to a ceasefire in June.", Dates("2024-06")),
        ("They will meet in January.", Dates("2025-01")),
        ("They signed the accord on 5 March 2019.", Dates("2019-03-05")),
        ("The 2016 peace deal ended the war.", Dates("2016")),
        ("Talks will open next month.", Dates("2024-09")),
        ("Talks stalled since July.", Dates()),
        ("Negotiations that have been stalled since July resumed.", Dates()),
    ],
)
def test_sentence_date_resolution(sentence: str, expected: Dates) -> None:
    assert sentence_dates(sentence, PUBLISHED) == expected


def test_statement_weekday_is_past_even_in_future_sentence() -> None:
    result = sentence_dates("The rebels said Monday they would resume talks.", PUBLISHED)
    assert result.date == "2024-08-12"


def test_event_date_beats_the_statement_date() -> None:
    text = "The envoy announced Tuesday that talks will open on August 20."
    assert sentence_dates(text, PUBLISHED).date == "2024-08-20"


def test_without_publication_date_only_dated_years_resolve() -> None:
    assert sentence_dates("Talks began on Monday.", None) == Dates()
    assert sentence_dates("Talks began on August 3, 2023.", None) == Dates("2023-08-03")
