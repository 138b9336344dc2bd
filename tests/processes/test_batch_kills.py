"""A `parley worker` extracting through the Batch API, SIGKILLed at chosen moments, resumes its
batch and never submits it twice: real processes, the fake Batch API over real HTTP."""

import time
from pathlib import Path

import pytest

from tests.support.processes import (
    Cluster,
    FakeLLM,
    Process,
    Server,
    article_key,
    article_text,
    count_by_article,
    serve_env,
    statuses,
    wait_until,
)

pytestmark = pytest.mark.slow
ARTICLES = 4


def batch_env(tmp_path: Path, llm: FakeLLM) -> dict[str, str]:
    """Settings of a worker sending batch-mode articles to the Batch API at once."""
    return {
        **serve_env(tmp_path, llm, concurrency=2),
        "PARLEY_LLM_BATCH": "auto",
        "PARLEY_LLM_BATCH_WAIT_SECONDS": "0",
        "PARLEY_LLM_BATCH_POLL_SECONDS": "0.2",
    }


def accept_in_batch_mode(cluster: Cluster, env: dict[str, str]) -> tuple[Server, list[int]]:
    """Accept the articles through an API-only server (left running to read them back)."""
    api = cluster.serve("api", {**env, "PARLEY_RUN_WORKER": "false"})
    ids = []
    for n in range(ARTICLES):
        response = api.post("/v1/articles", json={"text": article_text(n), "mode": "batch"})
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    return api, ids


def wait_all_done(db_url: str, ids: list[int], proc: Process) -> None:
    """Every article done (a failed one fails the test at once)."""

    def done() -> bool:
        states = statuses(db_url)
        assert "failed" not in states.values(), states
        return all(states.get(i) == "done" for i in ids)

    wait_until(done, 90, proc, every=0.2)


def assert_one_batch_and_one_record_each(llm: FakeLLM, api: Server, db_url: str, ids: list[int]):
    """One batch, one request per article, no synchronous call, one stored extraction each."""
    counts = llm.counts()
    assert counts["batches_created"] == 1, "the same batch was submitted twice"
    assert counts["batch_requests"] == {article_key(n): 1 for n in range(ARTICLES)}
    assert counts["total"] == 0
    assert count_by_article(db_url, "record") == dict.fromkeys(ids, 1)
    assert count_by_article(db_url, "extraction") == dict.fromkeys(ids, 1)
    for article_id in ids:
        assert api.get(f"/v1/articles/{article_id}").json()["extraction"]["mode"] == "batch"


def run_and_kill(cluster: Cluster, tmp_path: Path, llm: FakeLLM, moment: str) -> None:
    """Accept, start a worker, kill it when `moment` is reached, restart it, check."""
    env = batch_env(tmp_path, llm)
    api, ids = accept_in_batch_mode(cluster, env)
    worker = cluster.worker("worker", env)
    wait_until(lambda: llm.counts()[moment] >= 1, 30, worker)
    time.sleep(0.2)
    worker.kill()
    worker.start()
    wait_all_done(env["PARLEY_DATABASE_URL"], ids, worker)
    assert_one_batch_and_one_record_each(llm, api, env["PARLEY_DATABASE_URL"], ids)


def test_worker_killed_while_its_batch_runs_resumes_polling_the_same_batch(
    cluster: Cluster, tmp_path: Path
) -> None:
    # The batch id was checkpointed; the kill lands while the worker polls (sleeping durably).
    llm = cluster.fake_llm(0.0, "--batch-delay", "4")
    run_and_kill(cluster, tmp_path, llm, "batches_created")


def test_worker_killed_after_the_api_created_its_batch_but_before_the_checkpoint_finds_it(
    cluster: Cluster, tmp_path: Path
) -> None:
    # The API holds its answer to the create: the batch exists, the worker has no id for it.
    llm = cluster.fake_llm(0.0, "--batch-delay", "1", "--create-delay", "30")
    run_and_kill(cluster, tmp_path, llm, "batches_created")

    assert llm.counts()["batch_lists"] >= 2, "the restarted worker looked for its batch"


def test_worker_killed_while_reading_the_answers_stores_each_article_once(
    cluster: Cluster, tmp_path: Path
) -> None:
    llm = cluster.fake_llm(0.0, "--batch-delay", "0.5", "--content-delay", "3")
    run_and_kill(cluster, tmp_path, llm, "downloads")

    assert llm.counts()["downloads"] == 2, "the answers are read again after the kill"
