"""Review over the real app: a `review` key corrects, approves and rejects records and merges
and splits events; a `read` key changes nothing; every change is kept with who, when, before,
after and why; what people decide survives re-extraction and `parley events rebuild`."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
import respx
from sqlmodel import Session

from app.articles.tables import Article
from app.auth.keys import Scope
from app.config import Settings
from app.db.engine import make_engine
from app.events.attach import attach_article, detach_article
from app.events.rebuild import rebuild
from app.extraction.contract import ExtractedRecord, ExtractionResult
from app.extraction.vocabulary import ExtractorName
from app.records.store import store_extraction
from tests.support.app import serve, wait_for_article
from tests.support.keys import bearer, mint
from tests.support.llm import LLM_BASE_URL, llm_reply

SUDAN = [
    {"name": "Sudanese Armed Forces", "kind": "armed_forces", "country": "Sudan"},
    {"name": "Rapid Support Forces", "kind": "armed_group", "country": "Sudan"},
]
ARTICLES: list[dict[str, Any]] = [
    {
        "text": "Sudan's army and the RSF agreed a seven-day truce in Jeddah on Tuesday.",
        "published_at": "2026-03-04T09:00:00Z",
        "title": "Truce agreed in Jeddah",
        "record": {"kind": "ceasefire", "status": "agreed", "date": "2026-03-03"},
    },
    {
        "text": "A week-long ceasefire between the Sudanese army and the RSF was agreed on "
        "Tuesday in Jeddah, mediators said.",
        "published_at": "2026-03-04T12:00:00Z",
        "title": "Sudan's warring sides agree a truce",
        "record": {"kind": "ceasefire", "status": "agreed", "date": "2026-03-03"},
    },
    {
        "text": "The army and the RSF swapped 40 prisoners in Khartoum on Friday.",
        "published_at": "2026-03-14T08:00:00Z",
        "title": "Prisoners swapped",
        "record": {"kind": "prisoner_exchange", "status": "completed", "date": "2026-03-13"},
    },
]


def _answer(body: dict[str, Any]) -> list[dict[str, Any]]:
    prompt = json.dumps(body["messages"])
    article = next(a for a in ARTICLES if json.dumps(a["text"][:50])[1:-1] in prompt)
    return [
        {
            **article["record"],
            "summary": article["title"],
            "parties": SUDAN,
            "count": 40 if article["record"]["kind"] == "prisoner_exchange" else None,
            "evidence": [article["text"]],
        }
    ]


@dataclass
class Desk:
    """The app, keys of each kind, and the ids of what the articles produced."""

    client: httpx.AsyncClient
    settings: Settings
    reader: dict[str, str]
    reviewer: dict[str, str]
    ingester: dict[str, str]
    records: list[int]

    async def record(self, record_id: int) -> dict[str, Any]:
        response = await self.client.get(f"/v1/records/{record_id}", headers=self.reader)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def event(self, event_id: int) -> dict[str, Any]:
        response = await self.client.get(f"/v1/events/{event_id}", headers=self.reader)
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest_asyncio.fixture
async def desk(settings: Settings) -> AsyncIterator[Desk]:
    """The three articles extracted, with a read, a review and an ingest key."""
    reader = bearer(mint(settings.database_url, Scope.READ, name="desk reader"))
    reviewer = bearer(mint(settings.database_url, Scope.READ, Scope.REVIEW, name="Amina (desk)"))
    ingester = bearer(mint(settings.database_url, Scope.INGEST, Scope.READ, name="cms"))
    with respx.mock(base_url=LLM_BASE_URL) as llm:
        llm.post("/chat/completions").mock(side_effect=llm_reply(_answer))
        async with serve(settings) as client:
            ids = []
            for a in ARTICLES:
                fields = {k: a[k] for k in ("text", "title", "published_at")}
                posted = await client.post("/v1/articles", json=fields, headers=ingester)
                done = await wait_for_article(client, posted.json()["id"], headers=reader)
                assert done["status"] == "done", done["error"]
                ids.append(done["records"][0]["id"])
            yield Desk(client, settings, reader, reviewer, ingester, ids)


async def test_only_a_review_key_can_change_records_and_events(desk: Desk) -> None:
    truce = await desk.record(desk.records[0])
    attempts = [
        ("PATCH", f"/v1/records/{truce['id']}", {"changes": {"status": "ongoing"}}),
        ("POST", f"/v1/records/{truce['id']}/review", {"verdict": "rejected"}),
        ("POST", f"/v1/events/{truce['event_id']}/split", {"records": [truce["id"]]}),
    ]
    for method, path, body in attempts:
        for key in (desk.reader, desk.ingester):
            response = await desk.client.request(method, path, json=body, headers=key)
            assert response.status_code == 403, response.text
            assert "review" in response.json()["error"]["message"]

    assert (await desk.record(truce["id"]))["review"] == "unreviewed"


async def test_a_correction_is_normalised_and_kept_with_who_why_before_and_after(
    desk: Desk,
) -> None:
    record_id = desk.records[2]

    response = await desk.client.patch(
        f"/v1/records/{record_id}",
        json={
            "changes": {"location": {"name": "Kinshasa", "country": "DRC"}, "count": 42},
            "reason": "the ministry's list has 42 names",
        },
        headers=desk.reviewer,
    )

    assert response.status_code == 200, response.text
    corrected = response.json()
    assert corrected["location"] == {"name": "Kinshasa", "country": "COD"}
    assert (corrected["count"], corrected["review"]) == (42, "corrected")
    (change,) = (
        await desk.client.get(f"/v1/records/{record_id}/history", headers=desk.reader)
    ).json()["items"]
    assert change["who"] == "Amina (desk)"
    assert change["action"] == "corrected"
    assert change["reason"] == "the ministry's list has 42 names"
    assert (change["before"]["count"], change["after"]["count"]) == (40, 42)
    assert change["before"]["location"] is None


async def test_a_corrected_record_moves_to_the_event_its_facts_now_fit(desk: Desk) -> None:
    first, second = await desk.record(desk.records[0]), await desk.record(desk.records[1])
    assert first["event_id"] == second["event_id"]
    shared = first["event_id"]

    await desk.client.patch(
        f"/v1/records/{second['id']}",
        json={"changes": {"date": "2026-05-12"}, "reason": "it is the May truce"},
        headers=desk.reviewer,
    )

    moved = await desk.record(second["id"])
    assert moved["event_id"] != shared
    assert (await desk.event(shared))["source_count"] == 1
    assert (await desk.event(moved["event_id"]))["date"] == "2026-05-12"


async def test_a_rejected_record_is_hidden_and_leaves_its_event(desk: Desk) -> None:
    record = await desk.record(desk.records[0])

    response = await desk.client.post(
        f"/v1/records/{record['id']}/review",
        json={"verdict": "rejected", "reason": "a rumour"},
        headers=desk.reviewer,
    )

    assert response.status_code == 200, response.text
    listed = (await desk.client.get("/v1/records", headers=desk.reader)).json()["items"]
    rejected = (
        await desk.client.get("/v1/records", params={"review": "rejected"}, headers=desk.reader)
    ).json()["items"]
    assert record["id"] not in {r["id"] for r in listed}
    assert [r["id"] for r in rejected] == [record["id"]]
    assert (await desk.event(record["event_id"]))["source_count"] == 1
    refused = await desk.client.get(
        "/v1/events", params={"review": "rejected"}, headers=desk.reader
    )
    assert refused.status_code == 422
    assert "/v1/records?review=rejected" in refused.text


async def test_a_split_and_a_merge_are_kept_through_a_rebuild(desk: Desk) -> None:
    first, second = await desk.record(desk.records[0]), await desk.record(desk.records[1])
    shared = first["event_id"]

    split = await desk.client.post(
        f"/v1/events/{shared}/split",
        json={"records": [second["id"]], "reason": "two different truces"},
        headers=desk.reviewer,
    )
    assert split.status_code == 200, split.text
    new_event = split.json()["new_event"]["id"]
    engine = make_engine(desk.settings.database_url)
    rebuild(engine)
    engine.dispose()

    assert (await desk.record(second["id"]))["event_id"] == new_event
    assert (await desk.record(first["id"]))["event_id"] == shared

    merged = await desk.client.post(
        f"/v1/events/{new_event}/merge", json={"into": shared}, headers=desk.reviewer
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["source_count"] == 2
    history = (await desk.client.get(f"/v1/events/{shared}/history", headers=desk.reader)).json()
    assert [c["action"] for c in history["items"]] == ["split", "merged_into"]
    assert {c["who"] for c in history["items"]} == {"Amina (desk)"}
    gone = await desk.client.get(f"/v1/events/{new_event}/history", headers=desk.reader)
    assert [c["action"] for c in gone.json()["items"]] == ["merged"]


async def test_the_queue_puts_uncorroborated_records_first_and_drops_reviewed_ones(
    desk: Desk,
) -> None:
    queue = (await desk.client.get("/v1/review/queue", headers=desk.reader)).json()

    assert queue["total"] == 3
    top = queue["items"][0]
    assert top["record"]["id"] == desk.records[2]
    assert "its event has a single source" in top["reasons"]
    assert top["priority"] > queue["items"][1]["priority"]

    await desk.client.post(
        f"/v1/records/{desk.records[2]}/review", json={"verdict": "approved"}, headers=desk.reviewer
    )
    after = (await desk.client.get("/v1/review/queue", headers=desk.reader)).json()
    assert after["total"] == 2
    assert desk.records[2] not in {i["record"]["id"] for i in after["items"]}


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"colour": "red"}, "not fields of a record: colour"),
        ({"status": "finished"}, "status"),
        ({"evidence": ["words the article never had"]}, "the evidence must quote the article"),
        ({}, "changes"),
    ],
)
async def test_a_bad_correction_is_a_422_naming_the_problem_and_changes_nothing(
    desk: Desk, changes: dict[str, Any], says: str
) -> None:
    record_id = desk.records[0]
    before = await desk.record(record_id)

    response = await desk.client.patch(
        f"/v1/records/{record_id}", json={"changes": changes}, headers=desk.reviewer
    )

    assert response.status_code == 422, response.text
    assert says in response.text
    assert await desk.record(record_id) == before


async def test_re_extracting_an_article_keeps_its_reviewed_records(desk: Desk) -> None:
    approved, corrected = desk.records[0], desk.records[2]
    await desk.client.post(
        f"/v1/records/{approved}/review", json={"verdict": "approved"}, headers=desk.reviewer
    )
    await desk.client.patch(
        f"/v1/records/{corrected}", json={"changes": {"count": 42}}, headers=desk.reviewer
    )
    kept = [await desk.record(approved), await desk.record(corrected)]

    for record in kept:  # the model answers the same again for both articles
        _extract_again(desk.settings, record["article_id"])

    assert [await desk.record(approved), await desk.record(corrected)] == kept
    for record in kept:
        article = (
            await desk.client.get(f"/v1/articles/{record['article_id']}", headers=desk.reader)
        ).json()
        assert [r["id"] for r in article["records"]] == [record["id"]]


def _extract_again(settings: Settings, article_id: int) -> None:
    """What the store step does when an article is extracted again with the same answer."""
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        article = session.get(Article, article_id)
        assert article is not None
        assert article.text is not None
        source = next(a for a in ARTICLES if a["text"] == article.text)
        answer = ExtractedRecord.model_validate(
            _answer({"messages": [{"content": source["text"]}]})[0]
        )
        left = detach_article(session, article_id)
        result = ExtractionResult(records=[answer], extractor=ExtractorName.LLM)
        store_extraction(session, article_id, article.text, None, result)
        attach_article(session, article_id, left)
        session.commit()
    engine.dispose()
