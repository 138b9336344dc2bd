"""When two reports are one development: the vetoes an editor would not overrule, and a score
that joins differently worded reports of the same development."""

import datetime as dt
from typing import Any

import pytest

from app.events.facts import Facts, facts, group_keys
from app.events.similarity import compare, same_side, side_likeness, veto
from app.events.tuning import tuning
from app.extraction.vocabulary import RecordKind, RecordStatus

EVENT = tuning().event
SUDAN = [
    {"name": "Sudanese Armed Forces", "kind": "armed_forces", "country": "SDN"},
    {"name": "Rapid Support Forces", "kind": "armed_group", "country": "SDN"},
]
_ids = iter(range(1, 10_000))


def report(**given: Any) -> Facts:
    """A ceasefire agreed in Jeddah between the Sudanese army and the RSF; override any field."""
    fields: dict[str, Any] = {
        "kind": RecordKind.CEASEFIRE,
        "status": RecordStatus.AGREED,
        "parties": SUDAN,
        "mediators": [{"name": "Saudi Arabia", "kind": "state", "country": "SAU"}],
        "location": {"name": "Jeddah", "country": "SAU"},
        "countries": ["SDN"],
        "date": "2026-03-04",
        "published": dt.date(2026, 3, 5),
        "count": None,
        "texts": ["The army and the RSF agreed a week-long truce in Jeddah."],
    }
    fields.update(given)
    number = next(_ids)
    return facts(id=number, article_id=fields.pop("article_id", number), **fields)


def state_and_group(state: str, group: str, country: str) -> list[dict[str, str]]:
    """The sides of a state against an armed group of its own country."""
    return [
        {"name": state, "kind": "state", "country": country},
        {"name": group, "kind": "armed_group", "country": country},
    ]


def joined(a: Facts, b: Facts) -> bool:
    match = compare(a, b, EVENT)
    return match is not None and match.score >= EVENT.threshold


def test_two_outlets_wording_the_same_truce_differently_are_one_development() -> None:
    wire = report(texts=["Sudan's warring parties agreed a seven-day ceasefire in Jeddah."])
    daily = report(
        parties=[
            {"name": "the Sudanese army", "kind": "armed_forces", "country": "SDN"},
            {"name": "RSF", "kind": "armed_group", "country": "SDN"},
        ],
        mediators=[],
        location=None,
        date=None,
        published=dt.date(2026, 3, 5),
        texts=["A truce between the army and the paramilitary RSF was signed on Wednesday."],
    )

    match = compare(wire, daily, EVENT)

    assert match is not None
    assert match.score >= EVENT.threshold
    assert match.reasons[0].startswith("sides")


def test_an_exchange_agreed_and_an_exchange_carried_out_are_two_developments() -> None:
    def exchange(status: RecordStatus, date: str | None) -> Facts:
        return report(kind=RecordKind.PRISONER_EXCHANGE, status=status, date=date, location=None)

    # Undated, the deal is dated by its article: the same days as the swap it promised.
    promised = exchange(RecordStatus.AGREED, None)
    carried_out = exchange(RecordStatus.COMPLETED, "2026-03-05")

    assert (
        veto(promised, carried_out, EVENT)
        == "statuses agreed and completed are different developments"
    )
    assert veto(carried_out, exchange(RecordStatus.ONGOING, "2026-03-04"), EVENT) is None


def test_a_truce_agreed_and_in_force_two_days_later_may_be_one_development() -> None:
    agreed = report()
    in_force = report(status=RecordStatus.ONGOING, date="2026-03-06")

    assert joined(agreed, in_force)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"status": RecordStatus.COLLAPSED}, "different developments"),
        ({"kind": RecordKind.NEGOTIATION}, "different kinds"),
        ({"date": "2026-05-04"}, "days apart"),
        ({"date": "2026-03-07", "status": RecordStatus.AGREED}, "dated 3 days apart"),
        ({"date": "2026-04"}, "days apart"),
        ({"date": "2026"}, "dated only by the year"),
        ({"countries": ["YEM"]}, "no country in common"),
        ({"location": {"name": "Geneva", "country": "CHE"}}, "held in"),
    ],
)
def test_near_twins_stay_apart(change: dict[str, Any], why: str) -> None:
    original = report()
    twin = report(**change)

    assert why in (veto(original, twin, EVENT) or "")
    assert compare(original, twin, EVENT) is None


def test_a_month_dated_round_that_ended_on_a_stated_day_is_not_a_later_session() -> None:
    # "The talks, held in September, ended on the 16th": a session opening on the 21st is
    # another development, though both fall in September.
    first = report(kind=RecordKind.NEGOTIATION, status=RecordStatus.COMPLETED, date="2026-09")
    ended = report(
        kind=RecordKind.NEGOTIATION,
        status=RecordStatus.COMPLETED,
        date="2026-09",
        end_date="2026-09-16",
    )
    later = report(kind=RecordKind.NEGOTIATION, status=RecordStatus.ONGOING, date="2026-09-21")

    assert veto(first, later, EVENT) is None
    assert "days apart" in (veto(ended, later, EVENT) or "")
    assert (ended.day_from, ended.day_to) == (dt.date(2026, 9, 1), dt.date(2026, 9, 16))


def test_a_deal_signed_abroad_and_greeted_at_home_may_be_one_development() -> None:
    # One report places it at the venue, another at the dateline or in the field at home.
    at_venue = report()
    at_home = report(location={"name": "Port Sudan", "country": "SDN"})

    assert veto(at_venue, at_home, EVENT) is None
    assert joined(at_venue, at_home)


def test_a_side_only_described_neither_matches_nor_contradicts_a_named_one() -> None:
    described = [{"name": "insurgents", "kind": "armed_group", "country": "SDN"}]
    named = [{"name": "Rapid Support Forces", "kind": "armed_group", "country": "SDN"}]

    assert report(parties=described).sides == frozenset()
    match = compare(report(parties=described), report(parties=named), EVENT)
    assert match is not None
    assert match.reasons[0] == "sides 0.50"


def test_one_outlet_naming_one_side_and_another_the_other_may_be_one_development() -> None:
    army = report(parties=SUDAN[:1], texts=["The truce with the RSF collapsed on Thursday."])
    rsf = report(parties=SUDAN[1:], texts=["The truce with the army collapsed on Thursday."])

    match = compare(army, rsf, EVENT)
    assert match is not None
    assert match.reasons[0] == "sides 0.50"  # unknown, not "different sides"
    assert joined(army, rsf)


def test_two_exchanges_with_very_different_counts_are_two_developments() -> None:
    first = report(kind=RecordKind.PRISONER_EXCHANGE, status=RecordStatus.COMPLETED, count=95)
    second = report(kind=RecordKind.PRISONER_EXCHANGE, status=RecordStatus.COMPLETED, count=206)

    assert "counts 95 and 206" in (veto(first, second, EVENT) or "")


def test_rounded_counts_of_one_exchange_still_match() -> None:
    exact = report(kind=RecordKind.PRISONER_EXCHANGE, status=RecordStatus.COMPLETED, count=206)
    rounded = report(kind=RecordKind.PRISONER_EXCHANGE, status=RecordStatus.COMPLETED, count=200)

    assert joined(exact, rounded)


def test_one_articles_two_records_are_never_one_development() -> None:
    assert compare(report(article_id=7), report(article_id=7), EVENT) is None


def test_a_report_naming_no_country_cannot_join_anything() -> None:
    assert compare(report(countries=[]), report(), EVENT) is None


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("m23", "afc m23", True),
        ("rapid support forces", "rsf", True),
        ("bandits", "armed bandits", True),
        ("houthis", "rapid support forces", False),
        ("SDN", "YEM", False),
        # A name in another language, or with its acronym after it: the acronym is the link.
        ("frente para a libertacao do enclave de cabinda", "flec fac", True),
        ("front patriotique de liberation fpl", "patriotic liberation front fpl", True),
        ("front patriotique de liberation", "fpl", True),
        ("front patriotique de liberation", "fln", False),
    ],
)
def test_side_names_match_across_spellings(a: str, b: str, same: bool) -> None:
    assert same_side(a, b) is same


def test_side_likeness_gives_partial_credit_for_a_longer_spelling() -> None:
    short = {"NGA", "boko haram and iswap fighters"}
    long = {"NGA", "boko haram and islamic state west africa province fighters"}

    assert 0.5 < side_likeness(short, long) < 1.0
    assert side_likeness(short, short) == 1.0


def test_an_armed_group_named_by_its_acronym_or_its_name_is_one_side() -> None:
    def talks(group: str, article_id: int) -> Facts:
        return report(
            kind=RecordKind.NEGOTIATION,
            status=RecordStatus.ONGOING,
            parties=state_and_group("Colombian government", group, "COL"),
            countries=["COL"],
            article_id=article_id,
        )

    by_acronym, by_name = talks("ELN rebels", 1), talks("National Liberation Army", 2)
    other_group = talks("EMBF dissidents", 3)

    assert by_acronym.groups == by_name.groups == {"national liberation army"}
    assert joined(by_acronym, by_name)
    assert veto(by_acronym, other_group, EVENT) == "different armed groups"


def test_a_group_whose_name_holds_and_is_one_group_under_any_of_its_names() -> None:
    chad = {"name": "Front for Change and Concord in Chad", "kind": "armed_group"}
    french = {"name": "Front pour l'Alternance et la Concorde au Tchad", "kind": "armed_group"}

    assert group_keys(chad) == group_keys(french) == {"front for change and concord in chad"}


def test_a_head_count_names_no_group() -> None:
    assert group_keys({"name": "some 40 fighters", "kind": "armed_group"}) == set()


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("ELN fighters", {"national liberation army"}),
        ("dozens of ELN fighters", {"national liberation army"}),
        ("ELN rebels and FARC dissidents", {"national liberation army", "farc"}),
        ("Group for the Support of Islam and Muslims", {"jamaat nusrat al islam wal muslimin"}),
        ("the Gaitanista Army", {"clan del golfo"}),
        ("Maoists", {"communist party of india maoist"}),
        ("CPI (Maoist) cadres", {"communist party of india maoist"}),
    ],
)
def test_a_group_is_known_under_a_head_count_and_beside_another(name: str, keys: set[str]) -> None:
    assert group_keys({"name": name, "kind": "armed_group"}) == keys


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("Cabinda's separatist rebels", set()),  # a place owning the rebels only describes them
        ("FLEC's armed wing", {"flec"}),
        ("the movement", set()),
        ("the armed front", set()),
    ],
)
def test_a_side_described_by_its_region_or_a_bare_generic_word_names_no_group(
    name: str, keys: set[str]
) -> None:
    assert group_keys({"name": name, "kind": "armed_group"}) == keys


def test_talks_under_way_abroad_days_after_a_meeting_at_home_ended_are_another_round() -> None:
    def talks(status: RecordStatus, date: str, place: dict[str, str]) -> Facts:
        return report(kind=RecordKind.NEGOTIATION, status=status, date=date, location=place)

    geneva = {"name": "Palais des Nations", "country": "CHE"}
    khartoum = {"name": "Khartoum", "country": "SDN"}
    at_home = talks(RecordStatus.COMPLETED, "2026-09-04", khartoum)
    abroad = talks(RecordStatus.ONGOING, "2026-09-07", geneva)
    # Where an extractor has ongoing and completed the wrong way round, only the place tells
    # rounds apart: in one country the window decides, as before.
    same_town = talks(RecordStatus.ONGOING, "2026-09-07", khartoum)

    assert veto(at_home, abroad, EVENT) == "one was over days before the other went on"
    assert veto(at_home, same_town, EVENT) is None


def test_two_names_of_a_group_at_one_meeting_abroad_are_one_development() -> None:
    def truce(group: str, date: str, town: str, article_id: int) -> Facts:
        return report(
            parties=[
                {"name": "Syrian government", "kind": "state", "country": "SYR"},
                {"name": group, "kind": "armed_group", "country": "SYR"},
            ],
            mediators=[
                {"name": "Jordan", "kind": "state", "country": "JOR"},
                {"name": "United States", "kind": "state", "country": "USA"},
            ],
            location={"name": town, "country": "JOR"},
            countries=["SYR"],
            date=date,
            article_id=article_id,
        )

    druze = truce("the Druze armed factions in Suwayda", "2026-06-06", "Amman", 1)
    guard = truce("the National Guard", "2026-06-06", "Amman", 2)
    # Another town, or a week later, and the names are two groups again.
    elsewhere = truce("the National Guard", "2026-06-06", "Aqaba", 3)
    later = truce("the National Guard", "2026-06-13", "Amman", 4)

    assert druze.groups != guard.groups
    assert veto(druze, guard, EVENT) is None
    assert veto(druze, elsewhere, EVENT) == "different armed groups"
    assert veto(druze, later, EVENT) == "different armed groups"


def _surrender(group: str, text: str, article_id: int, date: str = "2026-06-02") -> Facts:
    return report(
        kind=RecordKind.SURRENDER,
        status=RecordStatus.COMPLETED,
        parties=state_and_group("Philippines", group, "PHL"),
        mediators=[],
        location={"name": "Datu Piang", "country": "PHL"},
        countries=["PHL"],
        date=date,
        texts=[text],
        article_id=article_id,
    )


def test_an_acronym_names_the_group_whose_name_ends_in_a_describing_word() -> None:
    # "Fighters" describes, so the group key drops it; the acronym still counts it.
    named = _surrender("Zamboanga Islamic Freedom Fighters", "Twenty-seven fighters gave up.", 1)
    acronym = _surrender("ZIFF", "27 members of the ZIFF surrendered on Tuesday.", 2)
    other = _surrender("Sultan Kudarat Liberation Army", "Twenty-seven fighters gave up.", 3)

    assert named.groups == {"zamboanga islamic freedom"}
    assert veto(named, acronym, EVENT) is None
    assert joined(named, acronym)
    assert veto(acronym, other, EVENT) == "different armed groups"


def test_a_group_a_report_names_in_its_own_words_is_not_another_group() -> None:
    both = _surrender(
        "Lakeside Self-Defence Group",
        "The Lakeside Self-Defence Group, better known as Kilimo, laid down arms.",
        1,
    )
    local = _surrender("Kilimo militia", "Kilimo militiamen laid down their arms.", 2)
    unrelated = _surrender("Kilimo militia", "Kilimo militiamen laid down their arms.", 3)
    lakeside = _surrender("Lakeside Self-Defence Group", "The group laid down arms.", 4)

    assert veto(both, local, EVENT) is None
    assert veto(unrelated, lakeside, EVENT) == "different armed groups"


def _accord(date: str, article_id: int) -> Facts:
    return report(
        kind=RecordKind.PEACE_AGREEMENT,
        parties=state_and_group("Colombian government", "FARC", "COL"),
        mediators=[],
        location=None,
        countries=["COL"],
        date=date,
        texts=["the peace agreement the government and the FARC signed"],
        article_id=article_id,
    )


def test_background_mentions_dated_by_one_year_or_a_month_of_it_may_be_one_development() -> None:
    by_year, by_month = _accord("2016", 1), _accord("2016-11", 2)

    assert veto(by_year, _accord("2016", 3), EVENT) is None
    assert joined(by_year, by_month)
    assert veto(by_year, _accord("2017-01", 4), EVENT) == "dated only by the year"
    # A day is too precise to be told from its twins of that year by the year alone.
    assert veto(by_year, _accord("2016-11-24", 5), EVENT) == "dated only by the year"


def test_talks_in_each_sides_capital_on_different_days_are_two_rounds() -> None:
    def talks(date: str, town: str, country: str) -> Facts:
        return report(
            kind=RecordKind.NEGOTIATION,
            status=RecordStatus.COMPLETED,
            parties=[
                {"name": "Armenia", "kind": "state", "country": "ARM"},
                {"name": "Azerbaijan", "kind": "state", "country": "AZE"},
            ],
            mediators=[],
            countries=["ARM", "AZE"],
            date=date,
            location={"name": town, "country": country},
            texts=["Armenian and Azerbaijani officials held border talks."],
        )

    in_yerevan = talks("2026-05-04", "Yerevan", "ARM")
    assert veto(in_yerevan, talks("2026-05-05", "Baku", "AZE"), EVENT) == (
        "talks in yerevan and in baku on different days"
    )
    # The same day (two outlets placing one meeting differently), or a place that is the
    # country itself, says too little to keep them apart.
    assert veto(in_yerevan, talks("2026-05-04", "Baku", "AZE"), EVENT) is None
    assert veto(in_yerevan, talks("2026-05-05", "Azerbaijan", "AZE"), EVENT) is None
