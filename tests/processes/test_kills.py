"""Nothing accepted is lost when a process is SIGKILLed: real `parley serve` / `parley worker`
processes, a fake LLM over real HTTP, kills at chosen and at random moments, restarts.

Call accounting: the fake counts completions per article. A call interrupted by a kill is
legitimately made again after the restart (its answer was never recorded); a call whose answer
the extract step had recorded must never be made again.
"""

import os
import random
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import postgres_database
from tests.support.processes import (
    Cluster,
    FakeLLM,
    Process,
    Server,
    article_key,
    article_text,
    count_by_article,
    is_listening,
    serve_env,
    statuses,
    wait_until,
)

pytestmark = pytest.mark.slow


def post_articles(server: Server, count: int) -> list[int]:
    """POST `count` distinct articles; their ids."""
    ids = []
    for i in range(count):
        response = server.post("/v1/articles", json={"text": article_text(i)})
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    return ids


def accept_without_working(cluster: Cluster, env: dict[str, str], count: int) -> list[int]:
    """Queue `count` articles through an API-only server, so all the work lies ahead."""
    api = cluster.serve("api", {**env, "PARLEY_RUN_WORKER": "false"})
    ids = post_articles(api, count)
    api.process.kill()
    return ids


def wait_all_done(db_url: str, ids: list[int], proc: Process, within: float = 90) -> None:
    """Wait until every article is done (a failed one fails the test at once)."""

    def done() -> bool:
        states = statuses(db_url)
        assert "failed" not in states.values(), states
        return all(states.get(i) == "done" for i in ids)

    wait_until(done, within, proc, every=0.2)


def assert_one_record_each(server: Server, db_url: str, ids: list[int]) -> None:
    """Exactly one record and one extraction per article, in the database and through the API."""
    assert count_by_article(db_url, "record") == dict.fromkeys(ids, 1)
    assert count_by_article(db_url, "extraction") == dict.fromkeys(ids, 1)
    for article_id in ids:
        assert len(server.get(f"/v1/articles/{article_id}").json()["records"]) == 1
    items = server.get("/v1/records", params={"limit": 500}).json()["items"]
    assert sorted(r["article_id"] for r in items) == sorted(ids)


def test_article_killed_mid_extraction_completes_after_restart_with_one_record(
    cluster: Cluster, tmp_path: Path
) -> None:
    llm = cluster.fake_llm(delay=1.5)
    env = serve_env(tmp_path, llm, concurrency=1)
    server = cluster.serve("serve", env)
    [article_id] = post_articles(server, 1)
    wait_until(lambda: llm.total() == 1, 15, server.process)

    server.process.kill()  # the LLM call is still open: its answer is never recorded
    server.restart()
    wait_all_done(env["PARLEY_DATABASE_URL"], [article_id], server.process)

    # The interrupted call is made once more, and only once.
    assert llm.calls() == {article_key(0): 2}
    assert_one_record_each(server, env["PARLEY_DATABASE_URL"], [article_id])


def test_finished_llm_step_is_not_paid_again_after_a_kill_before_storing(
    cluster: Cluster, tmp_path: Path
) -> None:
    llm = cluster.fake_llm(delay=0.3)
    env = serve_env(tmp_path, llm, concurrency=1)
    server = cluster.serve("serve", env)
    [article_id] = post_articles(server, 1)
    wait_until(lambda: llm.total() == 1, 15, server.process)
    with write_locked(tmp_path / "parley.db"):
        # Storing now waits on our lock, after the extract step has returned its answer.
        time.sleep(0.3 + 1.5)
        assert statuses(env["PARLEY_DATABASE_URL"]) == {article_id: "processing"}
        server.process.kill()
    server.restart()
    wait_all_done(env["PARLEY_DATABASE_URL"], [article_id], server.process)

    assert llm.total() == 1, "the recorded LLM answer was paid for again"
    assert_one_record_each(server, env["PARLEY_DATABASE_URL"], [article_id])


class write_locked:
    """Hold SQLite's write lock, so the app's next write waits (reads go on, WAL)."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=10)

    def __enter__(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, *_: object) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def test_repeated_random_kills_lose_nothing_and_repay_only_interrupted_calls(
    cluster: Cluster, tmp_path: Path
) -> None:
    # CI runs a short soak; `PARLEY_SOAK_KILLS=30 pytest -k repeated_random_kills` a long one.
    wanted_kills = int(os.environ.get("PARLEY_SOAK_KILLS", "4"))
    articles, concurrency, delay = 4 * wanted_kills, 2, 0.25
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    llm = cluster.fake_llm(delay=delay)
    env = serve_env(tmp_path, llm, concurrency=concurrency)
    db_url = env["PARLEY_DATABASE_URL"]
    ids = accept_without_working(cluster, env, articles)
    server = cluster.serve("serve", env)
    kills = {"open calls": 0, "recorded calls": 0}
    while sum(kills.values()) < wanted_kills and saw_new_call(llm, server.process):
        if rng.random() < 0.4:
            # Kill once the open calls have been answered and storing waits on our lock.
            with write_locked(tmp_path / "parley.db"):
                time.sleep(delay + 1.0)
                server.process.kill()
            kills["recorded calls"] += 1
        else:
            time.sleep(rng.uniform(0, 0.4))  # mid-call, between steps, or while storing
            server.process.kill()
            kills["open calls"] += 1
        server.restart()
    wait_all_done(db_url, ids, server.process)

    total, kill_count = llm.total(), sum(kills.values())
    print(f"seed={seed} articles={articles} kills={kills} llm_calls={total}")
    assert kill_count >= wanted_kills, f"only {kill_count} kills before the work ran out"
    # Each kill can interrupt at most `concurrency` open calls, which are made again. A kill
    # after the answers were recorded must cost nothing: a replay that called the LLM again
    # for a finished step (say, extract no longer a DBOS step) adds up to `concurrency` calls
    # per such kill and breaks this bound, as does re-running finished articles.
    assert total <= articles + kills["open calls"] * concurrency, (seed, kills, total)
    assert total >= articles
    assert_one_record_each(server, db_url, ids)


def saw_new_call(llm: FakeLLM, proc: Process, within: float = 15) -> bool:
    """Wait for a new LLM call; False when none comes (nothing is left to extract)."""
    before = llm.total()
    try:
        wait_until(lambda: llm.total() > before, within, proc)
    except AssertionError:
        return False
    return True


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database of this module's own (skips without PostgreSQL)."""
    with postgres_database("parley_proc") as url:
        yield url


def test_workers_killed_repeatedly_against_postgres_lose_nothing(
    postgres_url: str, cluster: Cluster, tmp_path: Path
) -> None:
    # CI runs a short soak; `PARLEY_SOAK_KILLS=10` restores the long one.
    wanted_kills = int(os.environ.get("PARLEY_SOAK_KILLS", "4"))
    articles, concurrency = 6 * wanted_kills, 1
    rng = random.Random()
    llm = cluster.fake_llm(delay=0.5)
    env = serve_env(tmp_path, llm, concurrency=concurrency)
    env.update(PARLEY_DATABASE_URL=postgres_url, PARLEY_RUN_WORKER="false")
    api = cluster.serve("api", env)
    ids = post_articles(api, articles)  # all queued before any worker starts
    workers = [
        cluster.worker(f"worker-{n}", {**env, "PARLEY_WORKER_ID": f"w{n}"}, wait=False)
        for n in (1, 2)
    ]
    kills = 0
    while kills < wanted_kills and saw_new_call(llm, api.process, within=30):
        ready = [w for w in workers if is_listening(w)]
        if not ready:
            continue
        time.sleep(rng.uniform(0, 0.4))  # mid-call, between steps, or while storing
        victim = rng.choice(ready)
        victim.kill()
        kills += 1
        # Same PARLEY_WORKER_ID: it resumes its own unfinished workflows. Not waited for: the
        # other worker goes on meanwhile.
        victim.start()
    wait_all_done(postgres_url, ids, api.process)

    total = llm.total()
    print(f"articles={articles} worker kills={kills} llm_calls={total}")
    assert kills >= wanted_kills, f"only {kills} kills before the work ran out"
    assert articles <= total <= articles + kills * concurrency
    assert_one_record_each(api, postgres_url, ids)
