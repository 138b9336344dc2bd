"""The desk's test newsroom: a handful of stories (written for these tests) extracted through
the real pipeline with the LLM faked over HTTP, keys of each kind, and signing in as a browser
does (the sign-in form's token, then the session cookie)."""

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import respx

from app.auth.keys import Scope
from app.config import Settings
from tests.support.app import serve, wait_for_article
from tests.support.databases import (
    BACKGROUND_QUEUE_POLL_SECONDS,
    QUEUE_POLL_SECONDS,
    fresh_dbos_database,
)
from tests.support.keys import bearer, mint
from tests.support.llm import LLM_BASE_URL, llm_reply

ARMY = {"name": "Sudanese Armed Forces", "kind": "armed_forces", "country": "Sudan"}
RSF = {"name": "Rapid Support Forces", "kind": "armed_group", "country": "Sudan"}
SAUDI = {"name": "Saudi Arabia", "kind": "state", "country": "Saudi Arabia", "role": "mediator"}
LONG_NAME = (
    "Coordinating Council of the Autonomous Administrations of the Northern Highlands, "
    "the Coastal Plains and the Riverine Districts (Interim Authority)"
)
HOSTILE_TITLE = 'Talks <script>alert("title")</script> <b>resume</b>'
HOSTILE_SENTENCE = (
    'Colombia\'s government and the ELN will meet again in Havana <script>alert("owned")'
    "</script> on <b>March</b> 9, <img src=x onerror=alert(2)> negotiators said."
)


def _story(title: str, source: str, day: str, text: str, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": title,
        "source": source,
        "published_at": f"{day}T09:00:00Z",
        "text": text,
        "record": record,
    }


STORIES: list[dict[str, Any]] = [
    _story(
        "Truce agreed in Jeddah",
        "Desk Wire",
        "2026-03-04",
        "Sudan's army and the RSF agreed a seven-day truce in Jeddah on Tuesday.\n"
        "Saudi Arabia brokered the deal after a week of indirect contacts.",
        {
            "kind": "ceasefire",
            "status": "agreed",
            "date": "2026-03-03",
            "parties": [ARMY, RSF],
            "mediators": [SAUDI],
            "location": {"name": "Jeddah", "country": "Saudi Arabia"},
            "summary": "Sudan's army and the RSF agree a seven-day truce in Jeddah.",
            "evidence": ["Sudan's army and the RSF agreed a seven-day truce in Jeddah on Tuesday."],
        },
    ),
    _story(
        "Sudan's warring sides accept a week-long ceasefire",
        "Evening Ledger",
        "2026-03-04",
        "Residents of Khartoum hoped for calm.\n"
        "A week-long ceasefire between the Sudanese army and the RSF was agreed on Tuesday in "
        "Jeddah, mediators said.",
        {
            "kind": "ceasefire",
            "status": "agreed",
            "date": "2026-03-03",
            "parties": [ARMY, RSF],
            "mediators": [SAUDI],
            "location": {"name": "Jeddah", "country": "Saudi Arabia"},
            "summary": "A week-long ceasefire is agreed in Jeddah.",
            "evidence": [
                "A week-long ceasefire between the Sudanese army and the RSF was agreed "
                "on Tuesday in Jeddah, mediators said."
            ],
        },
    ),
    _story(
        "Jeddah truce collapses",
        "Desk Wire",
        "2026-03-09",
        "The truce between Sudan's army and the RSF collapsed on Sunday as shelling resumed.",
        {
            "kind": "ceasefire",
            "status": "collapsed",
            "date": "2026-03-08",
            "parties": [ARMY, RSF],
            "summary": "The Jeddah truce collapses as shelling resumes.",
            "evidence": [
                "The truce between Sudan's army and the RSF collapsed on Sunday as "
                "shelling resumed."
            ],
        },
    ),
    _story(
        "Prisoners swapped in Port Sudan",
        "Evening Ledger",
        "2026-03-21",
        "The army and the RSF swapped 40 prisoners in Port Sudan on Friday.",
        # The model put Port Sudan in South Sudan: the browser test corrects it.
        {
            "kind": "prisoner_exchange",
            "status": "completed",
            "date": "2026-03-20",
            "parties": [ARMY, RSF],
            "count": 40,
            "count_qualifier": "exact",
            "location": {"name": "Port Sudan", "country": "South Sudan"},
            "summary": "The army and the RSF swap 40 prisoners.",
            "evidence": ["The army and the RSF swapped 40 prisoners in Port Sudan on Friday."],
        },
    ),
    _story(
        "Council and Addis Ababa open talks in Ankara",
        "Horn Monitor",
        "2026-02-11",
        f"The {LONG_NAME} and Ethiopia's government opened talks in Ankara on Tuesday, hosted "
        "by Türkiye.",
        {
            "kind": "negotiation",
            "status": "ongoing",
            "date": "2026-02-10",
            "parties": [
                {"name": LONG_NAME, "kind": "armed_group", "country": "Ethiopia"},
                {"name": "Government of Ethiopia", "kind": "state", "country": "Ethiopia"},
            ],
            "mediators": [
                {"name": "Türkiye", "kind": "state", "country": "Türkiye", "role": "host"}
            ],
            "location": {"name": "Ankara", "country": "Türkiye"},
            "summary": "Talks open in Ankara.",
            "evidence": ["opened talks in Ankara on Tuesday, hosted by Türkiye."],
        },
    ),
    _story(
        HOSTILE_TITLE,
        "Caribbean <i>Post</i>",
        "2026-03-02",
        f'{HOSTILE_SENTENCE}\n<iframe src="https://example.org"></iframe> Delegations arrive '
        "on Sunday.",
        {
            "kind": "negotiation",
            "status": "scheduled",
            "date": "2026-03-09",
            "parties": [
                {"name": "Government of Colombia", "kind": "state", "country": "Colombia"},
                {"name": "ELN", "kind": "armed_group", "country": "Colombia"},
            ],
            "location": {"name": "Havana", "country": "Cuba"},
            "summary": 'Talks resume <script>alert("summary")</script> in Havana.',
            "evidence": [HOSTILE_SENTENCE],
        },
    ),
    _story(
        "Fighters lay down arms in Ituri",
        "Great Lakes Daily",
        "2026-03-12",
        "About 120 militia fighters surrendered to the Congolese army in Ituri on Wednesday.",
        {
            "kind": "surrender",
            "status": "completed",
            "date": "2026-03-11",
            "parties": [
                {"name": "CODECO", "kind": "armed_group", "country": "DRC"},
                {"name": "Congolese army", "kind": "armed_forces", "country": "DRC"},
            ],
            "count": 120,
            "count_qualifier": "approximate",
            "location": {"name": "Ituri", "country": "DRC"},
            "summary": "About 120 militia fighters surrender in Ituri.",
            "evidence": [
                "About 120 militia fighters surrendered to the Congolese army in Ituri "
                "on Wednesday."
            ],
        },
    ),
]


def _answer(body: dict[str, Any]) -> list[dict[str, Any]]:
    prompt = json.dumps(body["messages"])
    story = next(s for s in STORIES if json.dumps(s["text"][:40])[1:-1] in prompt)
    return [story["record"]]


@dataclass
class Newsroom:
    """Keys of each kind (plaintext), and the record id of each story (in STORIES order)."""

    reader: str
    reviewer: str
    ingester: str
    records: list[int]
    articles: list[int]


def desk_settings(database_url: str, workdir: Path) -> Settings:
    """Settings of a desk server (the suite's test settings: fake LLM, quick queue)."""
    return Settings(
        _env_file=None,
        database_url=database_url,
        dbos_database_url=fresh_dbos_database(workdir, database_url),
        openai_base_url=LLM_BASE_URL,
        openai_api_key="sk-test",
        llm_sdk_retries=0,
        queue_poll_seconds=QUEUE_POLL_SECONDS,
        background_queue_poll_seconds=BACKGROUND_QUEUE_POLL_SECONDS,
        queue_rate_limit=100_000,
        shutdown_grace_seconds=0,
        relevance_gate=False,
    )


def mint_keys(settings: Settings) -> tuple[str, str, str]:
    """A read key, a read+review key named after a person, and an ingest key."""
    url = settings.database_url
    return (
        mint(url, Scope.READ, name="Desk reader"),
        mint(url, Scope.READ, Scope.REVIEW, name="Amina (desk)"),
        mint(url, Scope.INGEST, Scope.READ, name="cms"),
    )


async def post_stories(client: httpx.AsyncClient, ingester: str) -> tuple[list[int], list[int]]:
    """Every story through the pipeline (posted at once, extracted side by side); (article
    ids, record ids) in STORIES order."""
    posted = []
    for story in STORIES:
        fields = {k: story[k] for k in ("text", "title", "published_at", "source")}
        answer = await client.post("/v1/articles", json=fields, headers=bearer(ingester))
        posted.append(answer.json()["id"])
    records = []
    for article in posted:
        done = await wait_for_article(client, article, headers=bearer(ingester))
        assert done["status"] == "done", done
        assert done["records"], done
        records.append(done["records"][0]["id"])
    return posted, records


@asynccontextmanager
async def newsroom(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Newsroom]]:
    """The app with every story extracted, and the keys."""
    reader, reviewer, ingester = mint_keys(settings)
    with respx.mock(base_url=LLM_BASE_URL, assert_all_called=False) as llm:
        llm.post("/chat/completions").mock(side_effect=llm_reply(_answer))
        async with serve(settings) as client:
            articles, records = await post_stories(client, ingester)
            yield client, Newsroom(reader, reviewer, ingester, records, articles)


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, key: str) -> httpx.Response:
    """Sign in as a browser does: the form's token, then the key; the client keeps the cookie."""
    form = await client.get("/desk/sign-in")
    data = {"csrf": csrf_of(form.text), "key": key, "next": "/desk/events"}
    return await client.post("/desk/sign-in", data=data)
