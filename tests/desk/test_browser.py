"""The desk in a real browser (Debian's Chromium, driven by Playwright): what a journalist does,
end to end, over real HTTP. One server and one browser for the module; the tests run in order
on the newsroom they share, and each page leaves a screenshot in .ci-artifacts/screenshots/."""

import asyncio
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import SCREENSHOTS, chromium, served
from tests.support.databases import fresh_database
from tests.support.desk import STORIES, Newsroom, desk_settings, newsroom

EXECUTABLE, WHY_NOT = chromium()
pytestmark = pytest.mark.skipif(EXECUTABLE is None, reason=WHY_NOT)

PORT_SUDAN, HOSTILE, ITURI = 3, 5, 6
LAPTOP = {"width": 1366, "height": 800}


@dataclass
class Desk:
    """The server's address, the signed-in page, and the newsroom behind them."""

    url: str
    page: Any
    room: Newsroom
    dialogs: list[str]

    def go(self, path: str) -> None:
        self.page.goto(self.url + path)

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def api(self, path: str) -> Any:
        answer = self.page.request.get(self.url + path)
        assert answer.ok, (path, answer.status)
        return answer.json()


async def _seed(settings: Any) -> Newsroom:
    async with newsroom(settings) as (_, room):
        return room


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory, postgres_ready: str | None) -> Iterator[Desk]:
    """Every story extracted, the app on a loopback port, Chromium signed in as a reviewer."""
    from playwright.sync_api import sync_playwright

    workdir = tmp_path_factory.mktemp("desk")
    settings = desk_settings(fresh_database(workdir, postgres_ready), workdir)
    room = asyncio.run(_seed(settings))
    with served(settings) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=EXECUTABLE)
        context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        yield Desk(url, page, room, dialogs)
        context.close()
        browser.close()


def test_signing_in_with_a_key_opens_the_events(desk: Desk) -> None:
    desk.go("/desk/review")
    assert "/desk/sign-in" in desk.page.url
    desk.shot("01-sign-in")
    desk.page.get_by_label("API key").fill(desk.room.reviewer)
    desk.page.get_by_role("button", name="Sign in").click()
    desk.page.wait_for_url("**/desk/review")
    assert desk.page.get_by_text("Signed in as").is_visible()
    assert "Amina (desk)" in desk.page.locator("header").inner_text()


def test_filtering_events_by_country_and_kind(desk: Desk) -> None:
    desk.page.get_by_role("link", name="Events").click()
    desk.page.get_by_label("Country").fill("Sudan")
    desk.page.get_by_label("Kind").select_option("ceasefire")
    desk.page.get_by_role("button", name="Filter").click()
    desk.page.wait_for_url(re.compile(r"country=Sudan.*kind=ceasefire"))
    rows = desk.page.locator("table.events tbody tr")
    assert rows.count() == 2
    assert "collapsed 1" in desk.page.locator(".counts").inner_text()
    desk.shot("02-events-filtered")


def test_an_event_shows_its_quote_highlighted_in_its_paragraph(desk: Desk) -> None:
    desk.page.locator("table.events tbody tr").last.get_by_role("link").first.click()
    desk.page.wait_for_url(re.compile(r"/desk/events/\d+$"))
    marks = desk.page.locator(".source mark")
    quoted = sorted(m.inner_text() for m in marks.all())
    assert quoted == sorted(STORIES[i]["record"]["evidence"][0] for i in (0, 1))
    assert marks.first.evaluate("m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"
    desk.shot("03-event")


def test_correcting_a_records_country_shows_the_change_and_its_history(desk: Desk) -> None:
    record = desk.room.records[PORT_SUDAN]
    desk.go(f"/desk/records/{record}")
    desk.page.get_by_role("link", name="Correct").click()
    desk.page.wait_for_url(f"**/desk/records/{record}/edit")
    desk.shot("04-correction-form")
    desk.page.get_by_label("Country of the place").fill("Sudan")
    desk.page.get_by_label("Why (kept in the history)").fill("Port Sudan is in Sudan")
    desk.page.get_by_role("button", name="Save the correction").click()
    desk.page.wait_for_url(f"**/desk/records/{record}")
    assert "Port Sudan (Sudan)" in desk.page.locator(".fields").inner_text()
    history = desk.page.locator("table.history").inner_text()
    assert "Amina (desk)" in history
    assert "Port Sudan is in Sudan" in history
    assert "SSD" in history
    assert "SDN" in history
    desk.shot("05-record-corrected")


def test_rejecting_a_record_takes_it_off_the_queue(desk: Desk) -> None:
    from playwright.sync_api import expect

    record = desk.room.records[ITURI]
    desk.page.get_by_role("link", name="Review queue").click()
    item = desk.page.locator(f'.queue-item[data-record="{record}"]')
    item.get_by_role("button", name="Reject").click()
    expect(desk.page.locator(f'.queue-item[data-record="{record}"]')).to_have_count(0)
    rejected = desk.api("/v1/records?review=rejected")["items"]
    assert record in [r["id"] for r in rejected]
    desk.go("/desk/events?country=COD")
    assert desk.page.get_by_text("No event matches this filter.").is_visible()


def test_downloading_the_csv_of_what_is_shown(desk: Desk) -> None:
    desk.go("/desk/events?country=Sudan")
    link = desk.page.get_by_role("link", name="CSV").first
    href = link.get_attribute("href")
    assert href == "/v1/events?country=Sudan&format=csv"
    with desk.page.expect_download() as waiting:
        link.click()
    path = waiting.value.path()
    rows = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    shown = desk.page.locator("table.events tbody tr").count()
    assert len(rows) == shown


def test_keyboard_review_of_three_queued_records(desk: Desk) -> None:
    from playwright.sync_api import expect

    desk.go("/desk/review")
    desk.shot("06-review-queue")
    before = desk.api("/v1/review/queue?limit=500")
    first, second, third = (i["record"]["id"] for i in before["items"][:3])
    items = desk.page.locator(".queue-item")
    for key, record in (("a", first), ("r", second), ("a", third)):
        expect(items.first).to_have_class(re.compile("current"))
        if record == second:  # move down and back up first: j/k move the selection
            desk.page.keyboard.press("j")
            expect(items.nth(1)).to_have_class(re.compile("current"))
            desk.page.keyboard.press("k")
            expect(items.first).to_have_class(re.compile("current"))
        desk.page.keyboard.press(key)
        expect(desk.page.locator(f'.queue-item[data-record="{record}"]')).to_have_count(0)
        desk.page.wait_for_load_state("load")
    after = desk.api("/v1/review/queue?limit=500")
    assert after["total"] == before["total"] - 3
    assert desk.api(f"/v1/records/{first}")["review"] == "approved"
    assert desk.api(f"/v1/records/{third}")["review"] == "approved"
    rejected = desk.api("/v1/records?review=rejected")["items"]
    assert second in [r["id"] for r in rejected]


def test_a_process_timeline_and_an_article_with_markup_read_as_text(desk: Desk) -> None:
    from playwright.sync_api import expect

    desk.page.get_by_role("link", name="Processes").click()
    desk.shot("07-processes")
    desk.page.get_by_role("link", name=re.compile("Sudanese Armed Forces")).first.click()
    desk.page.wait_for_url(re.compile(r"/desk/processes/\d+$"))
    assert desk.page.locator("figure.timeline svg circle").count() >= 3
    desk.shot("08-process-timeline")
    desk.go(f"/desk/articles/{desk.room.articles[HOSTILE]}")
    text = desk.page.locator(".article-text").inner_text()
    assert '<script>alert("owned")</script>' in text
    assert desk.page.locator(".article-text mark").count() == 1
    assert (
        desk.page.locator(".article-text script, .article-text img, .article-text b").count() == 0
    )
    assert desk.dialogs == []
    assert desk.page.title().startswith("Article")
    desk.shot("09-article")
    assert STORIES[HOSTILE]["title"] in desk.page.locator("h1").inner_text()
    desk.page.get_by_role("link", name="Articles").click()
    # count() does not wait for the navigation the click starts; expect() retries until it lands.
    expect(desk.page.locator("table.articles tbody tr")).to_have_count(len(STORIES))
    desk.shot("10-articles")
