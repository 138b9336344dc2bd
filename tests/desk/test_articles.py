"""Article and record pages: an article's markup and scripts are shown as text on every page
that shows them, evidence is marked from the stored offsets, and a failed article can be
retried by a key that may ingest."""

import re

from app.articles.status import get_article, mark
from app.articles.tables import ArticleStatus
from app.config import Settings
from app.db.engine import make_engine
from app.db.unit import transaction
from tests.support.desk import HOSTILE_SENTENCE, STORIES, csrf_of, newsroom, sign_in

HOSTILE = 5
SCRIPT = re.compile(r"<\s*(script|img|iframe|b|i)\b", re.I)
OUR_SCRIPT = '<script src="/desk/static/desk.js" defer></script>'


def _tags_outside_ours(html: str) -> list[str]:
    return SCRIPT.findall(html.replace(OUR_SCRIPT, ""))


async def test_an_articles_scripts_and_markup_render_as_text_on_every_page(
    settings: Settings,
) -> None:
    async with newsroom(settings) as (client, room):
        await sign_in(client, room.reviewer)
        article, record = room.articles[HOSTILE], room.records[HOSTILE]
        event = (await client.get(f"/v1/records/{record}", headers={})).json()["event_id"]
        pages = {
            path: await client.get(path)
            for path in (
                f"/desk/articles/{article}",
                f"/desk/records/{record}",
                f"/desk/records/{record}/edit",
                f"/desk/events/{event}",
                "/desk/events",
                "/desk/articles",
                "/desk/review",
            )
        }
    for path, page in pages.items():
        assert page.status_code == 200, path
        assert _tags_outside_ours(page.text) == [], path
        assert "script-src 'self'" in page.headers["content-security-policy"]
    article_page = pages[f"/desk/articles/{article}"].text
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in article_page
    assert "&lt;iframe src=" in article_page
    assert "Talks &lt;script&gt;" in article_page


async def test_the_article_page_marks_every_records_evidence_at_its_offsets(
    settings: Settings,
) -> None:
    async with newsroom(settings) as (client, room):
        await sign_in(client, room.reader)
        page = await client.get(f"/desk/articles/{room.articles[HOSTILE]}")
    marked = re.findall(r"<mark[^>]*>(.*?)</mark>", page.text, re.S)
    escaped = HOSTILE_SENTENCE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&#34;").replace("'", "&#39;")
    assert marked == [escaped]
    assert "Delegations arrive on Sunday." in page.text  # the unquoted paragraph, unmarked


async def test_a_failed_article_is_retried_by_a_key_that_may_ingest(settings: Settings) -> None:
    async with newsroom(settings) as (client, room):
        article = room.articles[0]
        engine = make_engine(settings.database_url)
        with transaction(engine) as unit:
            mark(unit.session, get_article(unit.session, article), ArticleStatus.FAILED, "boom")
            unit.commit()
        engine.dispose()
        await sign_in(client, room.reviewer)
        page = await client.get(f"/desk/articles/{article}")
        refused = await client.post(
            f"/desk/articles/{article}/retry", data={"csrf": csrf_of(page.text)}
        )
        client.cookies.clear()
        await sign_in(client, room.ingester)
        page = await client.get(f"/desk/articles/{article}")
        failed = await client.get("/desk/articles?status=failed")
        retried = await client.post(
            f"/desk/articles/{article}/retry", data={"csrf": csrf_of(page.text)}
        )
        after = await client.get(f"/desk/articles/{article}")
    assert refused.status_code == 403
    assert "boom" in page.text
    assert "Retry the extraction" in page.text
    assert STORIES[0]["title"] in failed.text
    assert retried.status_code == 303
    assert "Retry the extraction" not in after.text
