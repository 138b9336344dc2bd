"""Which phrase dates a development, and how it resolves against the publication date."""

from datetime import date

import pytest

from app.extraction.rules.calendar import Reference
from app.extraction.rules.dates import (
    Dates,
    advance,
    dateline_end,
    dateline_place,
    dates_for,
    read_phrases,
    round_start,
)

PUBLISHED = date(2024, 8, 14)  # a Wednesday
REFERENCE = Reference(PUBLISHED)


def _dates(sentence: str, future: bool = False, reference: Reference = REFERENCE) -> Dates:
    trigger = sentence.find("TRIGGER")
    span = (trigger, trigger + 7) if trigger >= 0 else (0, 0)
    return dates_for(read_phrases(sentence), span, reference, future)


@pytest.mark.parametrize(
    ("sentence", "future", "expected"),
    [
        ("Talks were held on Tuesday.", False, ("2024-08-13", None)),
        ("Talks will resume on Monday.", True, ("2024-08-19", None)),
        ("The ceasefire was agreed yesterday.", False, ("2024-08-13", None)),
        ("Talks open tomorrow.", True, ("2024-08-15", None)),
        ("The next round is scheduled for September 17 in Ankara.", True, ("2024-09-17", None)),
        ("A truce from July 14-18 was agreed.", False, ("2024-07-14", "2024-07-18")),
        ("Talks run from August 30 to September 5.", True, ("2024-08-30", "2024-09-05")),
        ("312 fighters surrendered between 1 and 7 August.", False, ("2024-08-01", "2024-08-07")),
        ("The truce was extended to July 31.", False, (None, "2024-07-31")),
        ("The group agreed to a ceasefire in June.", False, ("2024-06", None)),
        ("They will meet in January.", True, ("2025-01", None)),
        ("They signed the accord on 5 March 2019.", False, ("2019-03-05", None)),
        ("The 2016 peace deal ended the war.", False, ("2016", None)),
        ("Talks broke down in late 2023.", False, ("2023", None)),
        ("Talks will open next month.", True, ("2024-09", None)),
        ("Talks stalled since July.", False, (None, None)),
        ("They agreed a truce last week.", False, ("2024-08", None)),
        ("They agreed a truce at the weekend.", False, ("2024-08", None)),
        ("Earlier this month, they agreed a truce.", False, ("2024-08", None)),
        ("Hamas released four hostages last Friday.", False, ("2024-08-09", None)),
        ("Talks will open next Monday.", True, ("2024-08-19", None)),
        ("Talks were held on Tuesday and Wednesday.", False, ("2024-08-13", "2024-08-14")),
    ],
)
def test_the_event_date_resolves_at_the_precision_the_text_gives(
    sentence: str, future: bool, expected: tuple[str | None, str | None]
) -> None:
    result = _dates(sentence, future)
    assert (result.date, result.end_date) == expected


def test_the_date_of_a_statement_dates_only_a_past_development() -> None:
    past = _dates("The rebels said Monday they had agreed a truce.")
    assert (past.date, past.source) == ("2024-08-12", "statement")
    assert _dates("The rebels said Monday they would resume talks.", future=True).date is None


def test_an_event_date_beats_the_statement_date() -> None:
    result = _dates("The envoy announced Tuesday that talks will open on August 20.", True)
    assert (result.date, result.source) == ("2024-08-20", "event")


def test_a_comment_verb_after_the_date_marks_a_statement() -> None:
    (phrase,) = read_phrases("The EU on Wednesday welcomed the ceasefire.")
    assert phrase.role == "statement"


def test_the_event_date_nearest_the_trigger_is_chosen() -> None:
    sentence = "The group agreed a truce in June, but TRIGGER broke down the following month."
    assert _dates(sentence).date == "2024-07"


def test_the_following_month_follows_the_month_named_in_an_earlier_sentence() -> None:
    reference = advance(read_phrases("Talks opened in June."), REFERENCE, False)
    assert _dates("They agreed a truce the following month.", reference=reference).date == (
        "2024-07"
    )


def test_yesterday_in_a_quote_is_the_day_before_the_statement() -> None:
    published = date(2024, 8, 1)
    lead = read_phrases("The EU on Wednesday welcomed the ceasefire.")
    reference = advance(lead, Reference(published), False)
    assert reference.statement == date(2024, 7, 31)
    quoted = _dates('"The ceasefire agreed yesterday must hold," it said.', reference=reference)
    assert quoted.date == "2024-07-30"


def test_a_wire_dateline_dates_nothing_and_names_a_place() -> None:
    sentence = "DOHA, Aug 13 (Gulf Wire) - Talks in Doha continued on Monday."
    assert _dates(sentence).date == "2024-08-12"
    assert sentence[dateline_end(sentence) :].startswith("Talks")
    assert dateline_place("SANAA/ADEN - The last detainees arrived.") == "Sanaa"
    assert dateline_place("The talks - in Doha - resumed.") is None


def test_the_agreements_date_is_not_that_of_its_violation() -> None:
    sentence = "Troops exchanged fire on Saturday, a breach of the TRIGGER agreed in March."
    trigger = sentence.find("TRIGGER")
    phrases = read_phrases(sentence)
    violated = dates_for(phrases, (trigger, trigger + 7), REFERENCE, False, since_agreed=True)
    assert violated.date == "2024-08-10"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # A verb of the development's own between the agreement and the date: the date is its.
        ("The truce agreed in early May was violated on Sunday.", "2024-08-11"),
        # "The ceasefire of 10 March" names the agreement; the violation is the April one.
        ("The ceasefire of 10 March was violated repeatedly in April.", "2024-04"),
    ],
)
def test_a_violation_is_dated_by_its_own_date_not_the_agreements(
    sentence: str, expected: str
) -> None:
    noun = sentence.split()[1]
    trigger = sentence.find(noun)
    phrases = read_phrases(sentence)
    span = (trigger, trigger + len(noun))
    violated = dates_for(phrases, span, REFERENCE, False, since_agreed=True)
    assert violated.date == expected


def test_a_month_before_a_noun_dates_it() -> None:
    assert _dates("The February talks collapsed without agreement.").date == "2024-02"
    assert _dates("They signed a truce as the march on the town stalled.").date is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Talks continued for a third day on Wednesday.", ("2024-08-12", None)),
        ("Two days of talks ended on Wednesday.", ("2024-08-13", "2024-08-14")),
        ("Talks resumed on Wednesday.", ("2024-08-14", None)),
    ],
)
def test_a_talks_round_is_dated_by_its_first_day(
    sentence: str, expected: tuple[str, str | None]
) -> None:
    result = round_start(sentence, _dates(sentence))
    assert (result.date, result.end_date) == expected


def test_without_publication_date_only_dated_years_resolve() -> None:
    undated = Reference(None)
    assert _dates("Talks began on Monday.", reference=undated) == Dates()
    assert _dates("Talks began on August 3, 2023.", reference=undated).date == "2023-08-03"
