"""The offline rules extractor on hand-written conflict-news snippets (none from the dev corpus)."""

from datetime import UTC, datetime

from app.extraction.contract import ArticleInput, ExtractedRecord
from app.extraction.rules import RulesExtractor

PUBLISHED = datetime(2024, 3, 14, 9, 0, tzinfo=UTC)  # a Thursday
EXTRACTOR = RulesExtractor()


def _records(text: str, title: str | None = None) -> list[ExtractedRecord]:
    article = ArticleInput(text=text, title=title, published_at=PUBLISHED)
    return EXTRACTOR.extract_sync(article).records


def _only(text: str, kind: str) -> ExtractedRecord:
    found = [r for r in _records(text) if r.kind == kind]
    assert len(found) == 1, found
    return found[0]


async def test_extract_reports_rules_extractor_without_usage() -> None:
    result = await EXTRACTOR.extract(ArticleInput(text="Hamas and Israel agreed a truce."))
    assert (result.extractor, result.model, result.prompt_version) == ("rules", None, "rules-v2")
    assert result.usage.calls == 0
    assert result.records


def test_unrelated_text_yields_no_records() -> None:
    assert _records("The central bank raised interest rates by a quarter point on Monday.") == []


def test_evidence_is_the_exact_sentence_of_the_text() -> None:
    text = "Fighting raged overnight. Kenya and Uganda signed a peace agreement in Kampala."
    record = _only(text, "peace_agreement")
    assert record.evidence == ["Kenya and Uganda signed a peace agreement in Kampala."]
    assert record.evidence[0] in text


def test_ceasefire_extension_with_parties_and_end_date() -> None:
    record = _only("Israel and Hezbollah extended the ceasefire until March 31.", "ceasefire")
    assert record.status == "extended"
    assert {p.country for p in record.parties} == {"ISR", "LBN"}
    assert record.end_date == "2024-03-31"


def test_mediators_after_role_cue_are_third_parties_not_parties() -> None:
    text = (
        "Armenia and Azerbaijan held talks in Almaty mediated by Kazakhstan and the European Union."
    )
    record = _only(text, "negotiation")
    assert {p.country for p in record.parties} == {"ARM", "AZE"}
    assert {m.country or m.name for m in record.mediators} == {"KAZ", "European Union"}
    assert {m.role for m in record.mediators} == {"mediator"}


def test_hyphenated_broker_is_a_mediator() -> None:
    record = _only("The Qatari-brokered truce between Israel and Hamas took effect.", "ceasefire")
    assert [m.country for m in record.mediators] == ["QAT"]


def test_place_after_in_is_the_location_not_a_party() -> None:
    record = _only(
        "Delegations from Sudan’s army met in Jeddah for talks on Sunday.", "negotiation"
    )
    assert record.location is not None
    assert (record.location.name, record.location.country) == ("Jeddah", "SAU")
    assert {p.country for p in record.parties} == {"SDN"}
    assert record.date == "2024-03-10"


def test_surrender_count_with_at_least_qualifier() -> None:
    record = _only(
        "More than 300 fighters surrendered to the Nigerian army last week.", "surrender"
    )
    assert (record.count, record.count_qualifier) == (300, "at_least")
    assert record.status == "completed"
    assert "NGA" in {p.country for p in record.parties}


def test_prisoner_exchange_count_and_status() -> None:
    text = "Russia and Ukraine exchanged about 190 prisoners of war on Wednesday, officials said."
    record = _only(text, "prisoner_exchange")
    assert (record.count, record.count_qualifier) == (190, "approximate")
    assert record.status == "completed"
    assert record.date == "2024-03-13"


def test_scheduled_round_of_talks_gets_round_and_future_date() -> None:
    text = "The third round of talks between Ethiopia and Eritrea will be held on March 20."
    record = _only(text, "negotiation")
    assert (record.status, record.round, record.date) == ("scheduled", 3, "2024-03-20")


def test_old_deal_is_flagged_background() -> None:
    text = (
        "Serbia and Kosovo resumed talks on Monday. "
        "The 2013 peace agreement between the two was never implemented."
    )
    deal = _only(text, "peace_agreement")
    talks = _only(text, "negotiation")
    assert deal.background
    assert not talks.background


def test_mentions_of_the_same_development_merge_into_one_record() -> None:
    text = (
        "Colombia’s government and the ELN rebels agreed a ceasefire on Monday. "
        "The ceasefire will be monitored by the United Nations."
    )
    record = _only(text, "ceasefire")
    assert record.status == "agreed"
    assert len(record.evidence) == 2
    assert [m.name for m in record.mediators] == ["United Nations"]


def test_generic_side_takes_the_articles_main_country() -> None:
    text = (
        "Fighting in Myanmar's Rakhine state continued. "
        "The rebels agreed to a truce with the junta on Tuesday."
    )
    record = _only(text, "ceasefire")
    assert {p.country for p in record.parties} == {"MMR"}


def test_without_publication_date_relative_dates_stay_null() -> None:
    article = ArticleInput(text="Mali and Algeria held peace talks on Tuesday.")
    (record,) = EXTRACTOR.extract_sync(article).records
    assert record.date is None


def test_agenda_ceasefire_inside_talks_sentence_is_not_its_own_record() -> None:
    text = "Talks between Israel and Hamas aim to reach a ceasefire and a hostage release deal."
    assert [r.kind for r in _records(text)] == ["negotiation"]


def test_a_date_in_a_hypothetical_scope_does_not_date_the_record() -> None:
    text = (
        "Talks between Ethiopia and the Fano militia in Nairobi aim to produce a ceasefire by May."
    )
    record = _only(text, "negotiation")
    assert (record.date, record.background) == (None, False)


def test_a_place_inside_a_groups_name_is_not_the_location() -> None:
    record = _only("The junta and the Kachin Independence Army agreed a truce.", "ceasefire")
    assert record.location is None


def test_talks_held_over_the_weekend_are_completed() -> None:
    record = _only("Serbia and Kosovo held talks over the weekend in Brussels.", "negotiation")
    assert (record.status, record.date) == ("completed", "2024-03")


def test_an_end_date_takes_the_year_nearest_publication() -> None:
    text = "Israel and Lebanon agreed on Monday to extend their ceasefire until April 18."
    record = _only(text, "ceasefire")
    assert (record.date, record.end_date) == ("2024-03-11", "2024-04-18")


def test_a_government_and_a_rebel_group_of_one_country_are_two_sides() -> None:
    # Both are Colombian: kept apart by name, where a state's own actors merge by country.
    text = "The Colombian government and the ELN opened a new round of talks in Caracas on Monday."
    record = _only(text, "negotiation")
    assert [(p.name, p.country) for p in record.parties] == [
        ("The Colombian government", "COL"),
        ("National Liberation Army", "COL"),
    ]


def test_swapping_the_bodies_of_soldiers_is_no_prisoner_exchange() -> None:
    assert _records("Kyiv and Moscow swapped the bodies of fallen soldiers on Tuesday.") == []
    with_prisoners = "Kyiv and Moscow swapped the bodies of fallen soldiers and 48 prisoners."
    assert _only(with_prisoners, "prisoner_exchange").count == 48


def test_two_names_of_one_armed_group_are_one_side() -> None:
    text = (
        "Houthi rebels and Saudi Arabia agreed a prisoner swap on Monday. "
        "The swap between the Houthis and Saudi Arabia will free 900 prisoners."
    )
    record = _only(text, "prisoner_exchange")
    assert sorted(p.country or "" for p in record.parties) == ["SAU", "YEM"]


def test_bodies_handed_back_are_no_prisoner_exchange_however_they_are_counted() -> None:
    assert _records("Russia returned 909 bodies of Ukrainian soldiers to Kyiv on Friday.") == []
    assert _records("The exchange of bodies took place on Friday.") == []


def test_a_lowercase_march_is_no_month() -> None:
    text = "Sudan and South Sudan signed a ceasefire as the march on the border town stalled."
    assert _only(text, "ceasefire").date is None


def test_the_sides_of_another_development_the_sentence_recalls_are_not_this_ones() -> None:
    text = (
        "Kenya and Uganda signed a ceasefire in Kampala on Tuesday, two days after a separate "
        "truce between Sudan and the Rapid Support Forces."
    )
    record = _only(text, "ceasefire")
    assert sorted(p.country or "" for p in record.parties) == ["KEN", "UGA"]


def test_a_digest_section_heading_gives_its_country_to_the_sentences_under_it() -> None:
    text = (
        "WEEKLY TRUCE WATCH | Issue 12\n\n"
        "MALI: HERDERS AND FARMERS SHAKE HANDS. On Tuesday, Dogon and Fulani elders near Bankass "
        "agreed a ceasefire after a month of raids.\n\n"
        "CHAD: REBELS COME IN. Some 200 fighters surrendered to the army in Tibesti this week."
    )
    ceasefire = _only(text, "ceasefire")
    assert [p.country for p in ceasefire.parties] == ["MLI"]
    assert "MLI" not in {p.country for p in _only(text, "surrender").parties}


def test_two_letter_words_of_a_heading_in_capitals_are_no_country_codes() -> None:
    text = "NIGER: TALKS TO RESUME AT LAST. Niger and the FPL agreed on Monday to resume talks."
    countries = {p.country for r in _records(text) for p in r.parties}
    assert countries <= {"NER", None}, countries  # not Tonga ("TO") nor Austria ("AT")


def test_the_truce_that_ended_an_exchange_of_fire_did_not_end() -> None:
    text = "Kenya and Somalia agreed on Monday a ceasefire that ended a deadly exchange of fire."
    assert _only(text, "ceasefire").status == "agreed"
