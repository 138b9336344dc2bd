"""A group of a bulk upload survives SIGKILL like an article's own workflow: real `parley serve`
processes, the fake LLM over real HTTP. A group's answers are checkpointed together, when its
last call has answered: a kill after that pays for nothing again; a kill before it pays again
for the calls of the group's unfinished extract step, never for more."""

import json
import time
from pathlib import Path

import pytest

from tests.processes.test_kills import assert_one_record_each, wait_all_done, write_locked
from tests.support.processes import (
    Cluster,
    FakeLLM,
    Server,
    article_text,
    serve_env,
    statuses,
    wait_until,
)

pytestmark = pytest.mark.slow

ARTICLES = 8


def accept_in_bulk(cluster: Cluster, env: dict[str, str]) -> list[int]:
    """Upload ARTICLES articles in one bulk request to an API-only server; their ids."""
    api = cluster.serve("api", {**env, "PARLEY_RUN_WORKER": "false"})
    body = "".join(json.dumps({"text": article_text(i)}) + "\n" for i in range(ARTICLES))
    response = api.post("/v1/articles/bulk", content=body.encode())
    assert response.status_code == 200, response.text
    ids = [json.loads(line)["id"] for line in response.text.splitlines()]
    api.process.kill()
    return ids


def one_group_started(
    cluster: Cluster, tmp_path: Path, delay: float
) -> tuple[FakeLLM, dict[str, str], list[int], Server]:
    """ARTICLES articles accepted as one group (which makes one call at a time), then a
    server working them."""
    llm = cluster.fake_llm(delay=delay)
    env = serve_env(tmp_path, llm, concurrency=2) | {"PARLEY_QUEUE_GROUP_SIZE": str(ARTICLES)}
    ids = accept_in_bulk(cluster, env)
    return llm, env, ids, cluster.serve("serve", env)


def test_a_group_killed_after_its_answers_were_recorded_pays_for_none_again(
    cluster: Cluster, tmp_path: Path
) -> None:
    llm, env, ids, server = one_group_started(cluster, tmp_path, delay=0.2)
    wait_until(lambda: llm.total() >= 1, 15, server.process)
    with write_locked(tmp_path / "parley.db"):
        # Storing waits on our lock once the group's extract step has recorded every answer.
        wait_until(lambda: llm.total() == ARTICLES, 30, server.process)
        time.sleep(1.5)
        assert set(statuses(env["PARLEY_DATABASE_URL"]).values()) == {"processing"}
        server.process.kill()
    server.restart()
    wait_all_done(env["PARLEY_DATABASE_URL"], ids, server.process)

    assert llm.total() == ARTICLES, "recorded answers were paid for again"
    assert_one_record_each(server, env["PARLEY_DATABASE_URL"], ids)


def test_a_group_killed_mid_extraction_pays_again_for_that_step_only(
    cluster: Cluster, tmp_path: Path
) -> None:
    llm, env, ids, server = one_group_started(cluster, tmp_path, delay=0.3)
    wait_until(lambda: llm.total() >= 3, 15, server.process)
    server.process.kill()
    time.sleep(0.2)  # a request on its way when the process died has arrived, or never will
    before_kill = llm.total()
    server.restart()
    wait_all_done(env["PARLEY_DATABASE_URL"], ids, server.process)

    # The group's step ran again from its start: every call it had made, plus the open one.
    assert llm.total() == ARTICLES + before_kill
    assert_one_record_each(server, env["PARLEY_DATABASE_URL"], ids)
