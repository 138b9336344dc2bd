"""The `start` step through the real pipeline with the relevance gate on: an article it turns
away is stored, done, with no records and no LLM call; an article on the subject still reaches
the LLM; and running `start` again (a replay after a crash) stores nothing twice."""

import asyncio
from typing import Any

import respx
from sqlmodel import Session, col, func, select

from app.articles.tables import Article
from app.pipeline.steps import Started, start
from app.records.tables import Extraction
from tests.support.app import running, wait_for_article
from tests.support.llm import LLM_BASE_URL, llm_reply
from tests.support.samples import RECORD, TEXT

OFF_TOPIC = (
    "The city council approved a new budget for road repairs and public libraries on Tuesday. "
    "The mayor said the work would begin in spring, and residents welcomed the plan."
)


async def _through_the_pipeline(make_settings: Any, text: str) -> tuple[dict[str, Any], int]:
    """Post `text` to the real app with the relevance gate on; the finished article and how
    many LLM calls it cost."""
    with respx.mock(base_url=LLM_BASE_URL, assert_all_called=False) as llm:
        route = llm.post("/chat/completions").mock(side_effect=llm_reply([RECORD]))
        async with running(make_settings(relevance_gate=True)) as (client, _):
            posted = await client.post("/v1/articles", json={"text": text})
            article = await wait_for_article(client, posted.json()["id"])
    return article, route.call_count


async def test_an_article_the_gate_turns_away_ends_done_with_no_records_and_no_llm_call(
    make_settings: Any,
) -> None:
    article, calls = await _through_the_pipeline(make_settings, OFF_TOPIC)

    assert calls == 0
    assert article["status"] == "done"
    assert article["records"] == []
    assert article["extraction"]["skipped_by_relevance_gate"] is True


async def test_an_article_on_the_subject_still_reaches_the_llm_with_the_gate_on(
    make_settings: Any,
) -> None:
    article, calls = await _through_the_pipeline(make_settings, TEXT)

    assert calls == 1
    assert article["status"] == "done"
    assert len(article["records"]) == 1
    assert article["extraction"]["skipped_by_relevance_gate"] is False


async def test_start_run_again_after_turning_an_article_away_stores_nothing_twice(
    make_settings: Any,
) -> None:
    with respx.mock(base_url=LLM_BASE_URL, assert_all_called=False) as llm:
        route = llm.post("/chat/completions").mock(side_effect=llm_reply([RECORD]))
        async with running(make_settings(relevance_gate=True)) as (client, services):
            posted = await client.post("/v1/articles", json={"text": OFF_TOPIC})
            article_id = posted.json()["id"]
            await wait_for_article(client, article_id)
            with Session(services.engine) as session:
                job_key = session.exec(select(Article.job_key).where(Article.id == article_id))
                key = job_key.one()
            # What a replay does when the process died after `start` committed but before DBOS
            # recorded its result: the step runs again.
            again = await asyncio.to_thread(start, article_id, key)
            article = await wait_for_article(client, article_id)
            with Session(services.engine) as session:
                extractions = session.exec(
                    select(func.count())
                    .select_from(Extraction)
                    .where(col(Extraction.article_id) == article_id)
                ).one()

    assert again == Started("skipped")
    assert extractions == 1
    assert article["status"] == "done"
    assert article["records"] == []
    assert route.called is False
