"""The events list, an event and a process's timeline at the desk: the API's filters, counts
for the filter, exports of exactly what is shown, and what the session cookie may do with the
API (read, never change)."""

import re

from app.config import Settings
from tests.support.desk import newsroom, sign_in


async def test_filtering_events_counts_them_and_links_exports_of_the_same_filter(
    settings: Settings,
) -> None:
    async with newsroom(settings) as (client, room):
        await sign_in(client, room.reader)
        everything = await client.get("/desk/events")
        sudan = await client.get("/desk/events?country=Sudan&kind=ceasefire&mediator=&q=")
        unknown = await client.get("/desk/events?country=Atlantis")
    assert everything.text.count("<tr>") - 1 == 6  # 7 reports, 6 developments
    rows = sudan.text.count("<tr>") - 1
    assert rows == 2
    counts = re.search(r'<dl class="counts">(.*?)</dl>', sudan.text, re.S)
    assert counts is not None
    text = re.sub(r"<[^>]+>", "", counts.group(1)).split()
    assert text == ["By", "kind", "ceasefire", "2", "By", "status", "agreed", "1", "collapsed", "1"]
    assert 'href="/v1/events?country=Sudan&amp;kind=ceasefire&amp;format=csv"' in sudan.text
    assert 'href="/v1/records?country=Sudan&amp;kind=ceasefire&amp;format=ndjson"' in sudan.text
    assert unknown.status_code == 422
    assert "unknown country" in unknown.text


async def test_an_event_shows_each_sources_quote_marked_inside_its_paragraph(
    settings: Settings,
) -> None:
    async with newsroom(settings) as (client, room):
        await sign_in(client, room.reader)
        record = (await client.get(f"/v1/records/{room.records[1]}")).json()
        page = await client.get(f"/desk/events/{record['event_id']}")
    assert page.text.count('class="source"') == 2
    assert (
        "<p>Residents of Khartoum hoped for calm.</p>" not in page.text
    )  # only the quoted paragraph
    assert "<mark>A week-long ceasefire between the Sudanese army" in page.text
    assert "Evening Ledger" in page.text
    assert "Desk Wire" in page.text


async def test_a_process_timeline_draws_its_events_in_order_with_the_status_changes(
    settings: Settings,
) -> None:
    async with newsroom(settings) as (client, room):
        await sign_in(client, room.reader)
        record = (await client.get(f"/v1/records/{room.records[0]}")).json()
        event = (await client.get(f"/v1/events/{record['event_id']}")).json()
        page = await client.get(f"/desk/processes/{event['process_id']}")
    svg = re.search(r"<svg[^>]*role=\"img\".*?</svg>", page.text, re.S)
    assert svg is not None
    statuses = re.findall(r'font-weight="bold" fill="#[0-9a-f]+">(\w+)<', svg.group(0))
    assert statuses == ["agreed", "collapsed", "completed"]
    assert svg.group(0).count('fill="none"') == 2  # two rings: the status changed twice


async def test_the_session_cookie_reads_the_api_but_never_changes_it(settings: Settings) -> None:
    async with newsroom(settings) as (client, room):
        await sign_in(client, room.reviewer)
        read = await client.get("/v1/events?country=Sudan")
        write = await client.post(
            f"/v1/records/{room.records[0]}/review", json={"verdict": "rejected"}
        )
    assert read.status_code == 200
    assert write.status_code == 401
