"""The rules extractor on the hand-written case tables (tests/fixtures/rules/cases.yaml, and
blind.yaml and fresh.yaml, written after tuning): every row's records come out, field by field,
and nothing else does; a row marked xfail is a known error."""

from pathlib import Path
from typing import Any

import pytest

from app.evaluation.cases import Case, load_cases
from app.evaluation.scoring import pair_records, party_countries
from app.extraction.contract import ExtractedRecord
from app.extraction.grounding import locate
from app.extraction.rules import RulesExtractor
from app.records.normalise import mediator_identity, normalise_record

TABLES = Path(__file__).parents[2] / "fixtures" / "rules"
CASES = TABLES / "cases.yaml"
EXTRACTOR = RulesExtractor()


def _params() -> list[Any]:
    return [
        pytest.param(
            case,
            id=case.article.id,
            marks=[pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else [],
        )
        for table in (CASES, TABLES / "blind.yaml", TABLES / "fresh.yaml")
        for case in load_cases(table)
    ]


def _predicted(case: Case) -> list[ExtractedRecord]:
    result = EXTRACTOR.extract_sync(case.article.article)
    text = case.article.article.text
    return [
        normalise_record(r)
        for r in result.records
        if any(locate(q, text) is not None for q in r.evidence)
    ]


def _fields(record: ExtractedRecord) -> dict[str, object]:
    return {
        "status": record.status,
        "parties": sorted(party_countries(record)),
        "mediators": sorted(filter(None, map(mediator_identity, record.mediators))),
        "location": record.location.country if record.location else None,
        "date": record.date,
        "end_date": record.end_date,
        "count": record.count,
        "qualifier": record.count_qualifier,
        "round": record.round,
        "background": record.background,
    }


def _differences(case: Case, predicted: list[ExtractedRecord]) -> list[str]:
    expected = case.article.records
    pairs = pair_records(predicted, expected)
    paired = {i for i, _ in pairs}
    problems = [
        f"unexpected {p.kind}/{p.status}: {_fields(p)}"
        for i, p in enumerate(predicted)
        if i not in paired
    ]
    found = {j for _, j in pairs}
    problems += [
        f"missing {g.record.kind}/{g.record.status}: {_fields(g.record)}"
        for j, g in enumerate(expected)
        if j not in found and not g.optional
    ]
    for i, j in pairs:
        if expected[j].optional:
            continue
        mine, theirs = _fields(predicted[i]), _fields(expected[j].record)
        mine |= {k: getattr(predicted[i], k) for k in case.extras[j]}
        theirs |= case.extras[j]
        problems += [
            f"{expected[j].record.kind} {name}: got {mine[name]!r}, expected {theirs[name]!r}"
            for name in theirs
            if mine[name] != theirs[name]
        ]
    return problems


@pytest.mark.parametrize("case", _params())
def test_case_table_row(case: Case) -> None:
    problems = _differences(case, _predicted(case))
    assert not problems, "\n".join([case.article.article.text, *problems])


def test_the_table_has_at_least_150_cases() -> None:
    assert len(load_cases(CASES)) >= 150
