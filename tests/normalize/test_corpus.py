"""The gold corpus is already normalised: feeding it back through the normaliser changes nothing."""

from typing import Any

from app.extraction.contract import ExtractedRecord, ThirdParty
from app.normalize import country_code
from app.records.normalise import mediator_identity, normalise_record
from tests.support.corpus import load_corpus


def gold_records() -> list[dict[str, Any]]:
    return [record for article in load_corpus() for record in article["records"]]


def test_gold_country_codes_come_back_unchanged() -> None:
    records = gold_records()
    codes = [
        actor["country"]
        for record in records
        for actor in [*record["parties"], *record["mediators"], record["location"] or {}]
        if actor.get("country")
    ]
    assert codes
    assert [country_code(code) for code in codes] == codes


def test_normalising_gold_record_keeps_its_countries_and_names() -> None:
    for gold in gold_records():
        record = ExtractedRecord.model_validate(gold)
        assert normalise_record(record) == record


def test_gold_mediator_identities_match_the_gold() -> None:
    identities = []
    for gold in gold_records():
        for mediator in gold["mediators"]:
            expected = mediator["country"] if mediator["kind"] == "state" else mediator["name"]
            identities.append((mediator_identity(ThirdParty.model_validate(mediator)), expected))
    assert identities
    assert [found for found, _ in identities] == [expected for _, expected in identities]
