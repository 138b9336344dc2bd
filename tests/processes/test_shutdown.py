"""SIGTERM: a real `parley serve` or `parley worker` stops taking work, lets the extraction in
flight finish within PARLEY_SHUTDOWN_GRACE_SECONDS or hands it back, and exits in bounded time.
"""

import signal
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

EXIT_BOUND = 15.0


def accept_one(server: Server, llm: FakeLLM, process: Process) -> int:
    """POST an article and return once its LLM call is open."""
    response = server.post("/v1/articles", json={"text": article_text(0)})
    assert response.status_code == 202, response.text
    wait_until(lambda: llm.total() == 1, 30, process)
    article_id: int = response.json()["id"]
    return article_id


def assert_shut_down_cleanly(serve: Process) -> None:
    """uvicorn ran the lifespan shutdown, then re-raised SIGTERM to exit with its status."""
    assert "Application shutdown complete" in serve.log_tail(1000)
    assert serve.returncode in (0, -signal.SIGTERM)


def test_serve_sigterm_lets_the_open_extraction_finish_then_exits(
    cluster: Cluster, tmp_path: Path
) -> None:
    llm = cluster.fake_llm(delay=2.0)
    env = serve_env(tmp_path, llm, concurrency=1) | {"PARLEY_SHUTDOWN_GRACE_SECONDS": "8"}
    server = cluster.serve("serve", env)
    article_id = accept_one(server, llm, server.process)

    took = server.process.terminate(within=EXIT_BOUND)
    print(f"serve exited {took:.2f}s after SIGTERM")

    assert_shut_down_cleanly(server.process)
    assert statuses(env["PARLEY_DATABASE_URL"]) == {article_id: "done"}
    assert count_by_article(env["PARLEY_DATABASE_URL"], "record") == {article_id: 1}
    assert llm.calls() == {article_key(0): 1}


def test_serve_sigterm_hands_back_what_outlasts_the_grace_period(
    cluster: Cluster, tmp_path: Path
) -> None:
    llm = cluster.fake_llm(delay=6.0)
    env = serve_env(tmp_path, llm, concurrency=1) | {"PARLEY_SHUTDOWN_GRACE_SECONDS": "1"}
    server = cluster.serve("serve", env)
    article_id = accept_one(server, llm, server.process)

    took = server.process.terminate(within=EXIT_BOUND)
    print(f"serve exited {took:.2f}s after SIGTERM, grace 1s, call open for 6s")
    assert took < 6.0, "waited for the call instead of handing it back"
    assert_shut_down_cleanly(server.process)
    assert statuses(env["PARLEY_DATABASE_URL"]) == {article_id: "processing"}

    server.restart()
    db = env["PARLEY_DATABASE_URL"]
    wait_until(lambda: statuses(db) == {article_id: "done"}, 30, server.process)
    assert count_by_article(db, "record") == {article_id: 1}
    assert llm.calls() == {article_key(0): 2}  # the abandoned call, made once more


def test_worker_sigterm_lets_the_open_extraction_finish_then_exits(
    cluster: Cluster, tmp_path: Path
) -> None:
    llm = cluster.fake_llm(delay=2.0)
    env = serve_env(tmp_path, llm, concurrency=1) | {
        "PARLEY_SHUTDOWN_GRACE_SECONDS": "8",
        "PARLEY_WORKER_ID": "w1",
    }
    api = cluster.serve("api", env | {"PARLEY_RUN_WORKER": "false"})
    worker = cluster.worker("worker", env)
    article_id = accept_one(api, llm, worker)

    took = worker.terminate(within=EXIT_BOUND)
    print(f"worker exited {took:.2f}s after SIGTERM")

    assert worker.returncode == 0
    assert "stopping" in worker.log_tail(500)
    assert statuses(env["PARLEY_DATABASE_URL"]) == {article_id: "done"}
    assert llm.calls() == {article_key(0): 1}
    # Idle, it stops without waiting out the grace period (8 s).
    worker.start()
    wait_until(lambda: "listening" in worker.log_tail(200), 60, worker)
    assert worker.terminate(within=EXIT_BOUND) < 8.0
