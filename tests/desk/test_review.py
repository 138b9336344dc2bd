"""Review at the desk over the real app: a read key sees everything and changes nothing; a
review key approves, rejects, corrects (the form for every field) and regroups events, each
change kept under the key's name; a form without the session's token is refused."""

import httpx

from app.config import Settings
from tests.support.desk import csrf_of, newsroom, sign_in
from tests.support.forms import form_fields
from tests.support.keys import bearer

PORT_SUDAN = 3  # the prisoner exchange the model placed in South Sudan
ITURI = 6  # the surrender, reported once


async def _record(client: httpx.AsyncClient, key: str, record_id: int) -> dict[str, object]:
    answer = await client.get(f"/v1/records/{record_id}", headers=bearer(key))
    return dict(answer.json())


async def test_a_read_key_sees_the_queue_but_can_change_nothing(settings: Settings) -> None:
    async with newsroom(settings) as (client, room):
        await sign_in(client, room.reader)
        queue = await client.get("/desk/review")
        record = room.records[ITURI]
        token = csrf_of(queue.text)
        tries = [
            (f"/desk/records/{record}/review", {"verdict": "rejected"}),
            (f"/desk/records/{record}/edit", {"status": "ongoing"}),
            ("/desk/events/1/merge", {"into": "2"}),
        ]
        answers = [await client.post(path, data={**d, "csrf": token}) for path, d in tries]
        after = await _record(client, room.reader, record)
    assert queue.status_code == 200
    assert "Approve" not in queue.text
    assert "can read but not review" in queue.text
    assert [a.status_code for a in answers] == [403, 403, 403]
    assert "lacks the &#39;review&#39; scope" in answers[0].text
    assert after["review"] == "unreviewed"


async def test_a_form_without_the_sessions_token_is_refused(settings: Settings) -> None:
    async with newsroom(settings) as (client, room):
        await sign_in(client, room.reviewer)
        record = room.records[ITURI]
        missing = await client.post(f"/desk/records/{record}/review", data={"verdict": "rejected"})
        wrong = await client.post(
            f"/desk/records/{record}/review", data={"verdict": "rejected", "csrf": "x" * 43}
        )
        after = await _record(client, room.reader, record)
    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert "security token" in missing.text
    assert after["review"] == "unreviewed"


async def test_correcting_a_country_in_the_form_renormalises_it_and_history_names_the_key(
    settings: Settings,
) -> None:
    async with newsroom(settings) as (client, room):
        await sign_in(client, room.reviewer)
        record = room.records[PORT_SUDAN]
        action = f"/desk/records/{record}/edit"
        fields = form_fields((await client.get(action)).text, action)
        assert fields["location-country"] == "SSD"
        fields.update({"location-country": "Sudan", "reason": "Port Sudan is in Sudan"})
        saved = await client.post(action, data=fields)
        page = await client.get(f"/desk/records/{record}")
        api = await _record(client, room.reader, record)
        history = await client.get(f"/v1/records/{record}/history", headers=bearer(room.reader))
    assert saved.status_code == 303
    assert api["location"] == {"name": "Port Sudan", "country": "SDN"}
    assert api["review"] == "corrected"
    assert "Port Sudan (Sudan)" in page.text
    assert "Amina (desk)" in page.text
    assert "Port Sudan is in Sudan" in page.text
    [change] = history.json()["items"]
    assert change["who"] == "Amina (desk)"
    assert change["before"]["location"]["country"] == "SSD"


async def test_an_invalid_correction_shows_the_form_again_naming_the_problem(
    settings: Settings,
) -> None:
    async with newsroom(settings) as (client, room):
        await sign_in(client, room.reviewer)
        record = room.records[PORT_SUDAN]
        action = f"/desk/records/{record}/edit"
        fields = form_fields((await client.get(action)).text, action)
        again = await client.post(action, data={**fields, "date": "last March"})
        unchanged = await client.post(action, data=fields)
        api = await _record(client, room.reader, record)
    assert again.status_code == 422
    assert "date" in again.text
    assert 'value="last March"' in again.text
    assert "Nothing was changed" in unchanged.text
    assert api["review"] == "unreviewed"


async def test_rejecting_from_the_queue_takes_the_record_off_it_and_out_of_events(
    settings: Settings,
) -> None:
    async with newsroom(settings) as (client, room):
        await sign_in(client, room.reviewer)
        record = room.records[ITURI]
        event = (await _record(client, room.reader, record))["event_id"]
        queue = await client.get("/desk/review")
        assert f'data-record="{record}"' in queue.text
        data = {"csrf": csrf_of(queue.text), "verdict": "rejected", "back": "/desk/review?at=2"}
        answer = await client.post(f"/desk/records/{record}/review", data=data)
        queue = await client.get("/desk/review")
        events = await client.get("/desk/events?country=COD")
        gone = await client.get(f"/desk/events/{event}")
        page = await client.get(f"/desk/records/{record}")
    assert answer.headers["location"] == "/desk/review?at=2"
    assert f'data-record="{record}"' not in queue.text
    assert "No event matches" in events.text
    assert gone.status_code == 404
    assert "rejected" in page.text
    assert "Amina (desk)" in page.text


async def test_splitting_and_merging_an_event_from_its_page(settings: Settings) -> None:
    async with newsroom(settings) as (client, room):
        await sign_in(client, room.reviewer)
        first, second = room.records[0], room.records[1]
        event = (await _record(client, room.reader, first))["event_id"]
        page = await client.get(f"/desk/events/{event}")
        assert "Split" in page.text
        data = {"csrf": csrf_of(page.text), "records": str(second), "reason": "two truces"}
        split = await client.post(f"/desk/events/{event}/split", data=data)
        new = split.headers["location"].rsplit("/", 1)[1]
        merge = {"csrf": csrf_of(page.text), "into": str(event), "reason": "one truce after all"}
        merged = await client.post(f"/desk/events/{new}/merge", data=merge)
        back = await client.get(f"/desk/events/{event}")
    assert split.status_code == 303
    assert merged.headers["location"] == f"/desk/events/{event}"
    assert back.text.count('class="source"') == 2
    assert "two truces" in back.text
    assert "one truce after all" in back.text
