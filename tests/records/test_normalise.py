"""Whole records: countries become ISO3, organisations canonical, nothing else changes."""

from typing import Any

import pytest

from app.extraction.contract import Actor, ExtractedRecord, Place, ThirdParty
from app.records.normalise import mediator_identity, normalise_record, record_countries


def make_record(**fields: Any) -> ExtractedRecord:
    base: dict[str, Any] = {
        "kind": "ceasefire",
        "status": "agreed",
        "summary": "Congo and Rwanda agreed a ceasefire in Luanda.",
        "evidence": ["agreed a ceasefire"],
        "topics": ["humanitarian access"],
    }
    return ExtractedRecord.model_validate(base | fields)


@pytest.fixture
def messy_record() -> ExtractedRecord:
    """What a model plausibly writes: names, short forms and gaps instead of codes."""
    return make_record(
        parties=[
            {"name": "DRC", "kind": "state", "country": "Democratic Republic of Congo"},
            {"name": "Rwandan government", "kind": "state", "country": None},
            {"name": "M23", "kind": "armed_group", "country": "Congolese"},
        ],
        mediators=[
            {"name": "the U.S.", "kind": "state", "country": "U.S.", "role": "mediator"},
            {"name": "Turkey", "kind": "state", "country": None, "role": "host"},
            {"name": "EU", "kind": "organization", "country": "Belgium", "role": "observer"},
            {"name": "Angolan President", "kind": "other", "country": "AO", "role": "mediator"},
        ],
        location={"name": "Luanda", "country": "Angola"},
    )


def test_normalised_record_has_iso3_countries(messy_record: ExtractedRecord) -> None:
    record = normalise_record(messy_record)
    assert [party.country for party in record.parties] == ["COD", "RWA", "COD"]
    assert [mediator.country for mediator in record.mediators] == ["USA", "TUR", None, "AGO"]
    assert record.location == Place(name="Luanda", country="AGO")


def test_normalised_record_keeps_actor_names_except_organisations(
    messy_record: ExtractedRecord,
) -> None:
    record = normalise_record(messy_record)
    assert [party.name for party in record.parties] == ["DRC", "Rwandan government", "M23"]
    assert [m.name for m in record.mediators] == [
        "the U.S.",
        "Turkey",
        "European Union",
        "Angolan President",
    ]


def test_normalised_record_keeps_every_other_field(messy_record: ExtractedRecord) -> None:
    record = normalise_record(messy_record)
    unchanged = {"parties", "mediators", "location"}
    assert record.model_dump(exclude=unchanged) == messy_record.model_dump(exclude=unchanged)
    assert [m.role for m in record.mediators] == [m.role for m in messy_record.mediators]
    assert [p.kind for p in record.parties] == [p.kind for p in messy_record.parties]


def test_normalise_record_returns_a_new_record(messy_record: ExtractedRecord) -> None:
    before = messy_record.model_dump()
    record = normalise_record(messy_record)
    record.topics.append("sea access")
    assert messy_record.model_dump() == before


def test_normalise_record_is_idempotent(messy_record: ExtractedRecord) -> None:
    once = normalise_record(messy_record)
    assert normalise_record(once) == once


def test_armed_group_without_country_hint_stays_without_country() -> None:
    record = normalise_record(
        make_record(parties=[{"name": "Hamas", "kind": "armed_group", "country": None}])
    )
    assert record.parties[0].country is None


def test_unrecognisable_country_falls_back_to_the_actor_name() -> None:
    actor = {"name": "Sudanese army", "kind": "armed_forces", "country": "Atlantis"}
    record = normalise_record(make_record(parties=[actor]))
    assert record.parties[0].country == "SDN"


def test_location_country_comes_from_curated_place_name() -> None:
    record = normalise_record(make_record(location={"name": "Jeddah", "country": None}))
    assert record.location is not None
    assert record.location.country == "SAU"


def test_location_without_known_place_keeps_null_country() -> None:
    record = normalise_record(make_record(location={"name": "a farm", "country": None}))
    assert record.location == Place(name="a farm", country=None)


@pytest.mark.parametrize(
    ("mediator", "expected"),
    [
        (ThirdParty(name="Turkey", kind="state", country=None, role="mediator"), "TUR"),
        (ThirdParty(name="Qatar", kind="state", country="QAT", role="host"), "QAT"),
        (ThirdParty(name="Egyptian intelligence", kind="state", role="mediator"), "EGY"),
        (ThirdParty(name="U.N.", kind="organization", role="observer"), "United Nations"),
        (
            ThirdParty(name="AU", kind="organization", country="ETH", role="observer"),
            "African Union",
        ),
        (ThirdParty(name="Pope Francis", kind="other", role="mediator"), "VAT"),
        (ThirdParty(name="Local elders", kind="other", role="facilitator"), None),
        (
            ThirdParty(name="Ramtane Lamamra", kind="other", country="UN", role="mediator"),
            "United Nations",
        ),
        (
            ThirdParty(name="Mohamed Belaiche", kind="other", country="AU", role="mediator"),
            "African Union",
        ),
    ],
)
def test_mediator_identity_is_iso3_or_canonical_name(
    mediator: ThirdParty, expected: str | None
) -> None:
    assert mediator_identity(mediator) == expected


def test_record_countries_are_the_parties_sorted_and_unique(messy_record: ExtractedRecord) -> None:
    assert record_countries(messy_record) == ["COD", "RWA"]


def test_record_countries_fall_back_to_location_when_no_party_has_one() -> None:
    record = make_record(
        parties=[Actor(name="Hamas", kind="armed_group")],
        location={"name": "Doha", "country": None},
    )
    assert record_countries(record) == ["QAT"]


def test_record_countries_ignore_location_when_a_party_has_a_country() -> None:
    record = make_record(
        parties=[Actor(name="Somalia", kind="state")],
        location={"name": "Ankara", "country": "Turkey"},
    )
    assert record_countries(record) == ["SOM"]


def test_record_countries_leave_out_organisation_parties() -> None:
    record = make_record(parties=[Actor(name="NATO", kind="organization", country="BEL")])
    assert record_countries(record) == []


def test_organisation_in_country_field_is_not_read_as_a_country() -> None:
    envoy = {"name": "Special envoy", "kind": "other", "country": "AU", "role": "mediator"}
    record = normalise_record(make_record(mediators=[envoy]))
    assert record.mediators[0].country is None


def test_phrase_in_country_field_is_read_like_an_actor_name() -> None:
    actor = {"name": "RSF", "kind": "armed_group", "country": "Sudanese paramilitary"}
    record = normalise_record(make_record(parties=[actor]))
    assert record.parties[0].country == "SDN"
