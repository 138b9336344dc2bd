"""PostgreSQL unreachable for a while: a real `parley serve` talks to PostgreSQL through a TCP
proxy the test switches off and on again. The API answers 503 with Retry-After (never 500, never
a hang), recovers without a restart, and the articles accepted before the outage complete.
"""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url

from tests.support.databases import postgres_database
from tests.support.processes import (
    Cluster,
    FakeLLM,
    Server,
    article_key,
    article_text,
    count_by_article,
    serve_env,
    statuses,
    wait_until,
)
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.slow

CONCURRENCY = 2
LLM_DELAY = 1.5


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database of this test's own (skips without PostgreSQL)."""
    with postgres_database("parley_outage") as url:
        yield url


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[TcpProxy]:
    """A switchable TCP proxy in front of the PostgreSQL server."""
    target = make_url(postgres_url).port or 5432
    running = TcpProxy(target).start()
    yield running
    running.close()


def through(proxy: TcpProxy, url: str) -> str:
    """The same database URL, reached through the proxy."""
    return make_url(url).set(port=proxy.port).render_as_string(hide_password=False)


def start_busy_server(
    cluster: Cluster, tmp_path: Path, app_db: str, system_db: str
) -> tuple[Server, list[int], FakeLLM]:
    """Serve, accept four articles and return once the first two are in the middle of their
    LLM calls (the other two wait in the queue)."""
    llm = cluster.fake_llm(delay=LLM_DELAY)
    env = serve_env(tmp_path, llm, concurrency=CONCURRENCY)
    env.update(PARLEY_DATABASE_URL=app_db, PARLEY_DBOS_DATABASE_URL=system_db)
    server = cluster.serve("serve", env)
    ids = []
    for n in range(4):
        response = server.post("/v1/articles", json={"text": article_text(n)})
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    wait_until(lambda: llm.total() == CONCURRENCY, 15, server.process)
    return server, ids, llm


def probe(server: Server, method: str, path: str) -> tuple[int, str | None, float]:
    """Status, Retry-After and seconds taken by one request (a new article for POSTs)."""
    began = time.monotonic()
    body = {"text": article_text(999)} if method == "POST" else None
    response = httpx.request(method, f"{server.url}{path}", json=body, timeout=20)
    return response.status_code, response.headers.get("Retry-After"), time.monotonic() - began


def assert_completed_once_each(server: Server, llm: FakeLLM, db: str, ids: list[int]) -> None:
    """Every accepted article done with one record, each paid for with one LLM call."""
    wait_until(lambda: set(statuses(db).values()) == {"done"}, 30, server.process, every=0.2)
    assert set(statuses(db)) == set(ids), "an article answered with 503 was stored"
    assert count_by_article(db, "record") == dict.fromkeys(ids, 1)
    assert llm.calls() == {article_key(n): 1 for n in range(len(ids))}


# How long a request may take while the database is away: a refused connection fails at once;
# a black-holed one after the engine's connect_timeout (5 s).
@pytest.mark.parametrize(("outage", "answer_within"), [("cut", 2.0), ("stall", 5.0 + 3.0)])
def test_database_outage_answers_503_with_retry_after_then_recovers_without_restart(
    postgres_url: str,
    proxy: TcpProxy,
    cluster: Cluster,
    tmp_path: Path,
    outage: str,
    answer_within: float,
) -> None:
    via_proxy = through(proxy, postgres_url)
    server, ids, llm = start_busy_server(cluster, tmp_path, via_proxy, via_proxy)
    getattr(proxy, outage)()
    cut_at = time.monotonic()
    requests = [
        "GET /v1/records",
        "POST /v1/articles",
        f"GET /v1/articles/{ids[0]}",
        "GET /healthz",
    ]
    with ThreadPoolExecutor(len(requests)) as pool:  # at once, as clients would
        futures = {r: pool.submit(probe, server, *r.split()) for r in requests}
    answers = {request: future.result() for request, future in futures.items()}
    # The open LLM calls end during the outage; their answers must survive it.
    time.sleep(max(0.0, LLM_DELAY + 1.5 - (time.monotonic() - cut_at)))
    proxy.restore()
    restored_at = time.monotonic()
    server.wait_healthy(within=15)
    recovered_in = time.monotonic() - restored_at
    print(f"{outage}: {answers}; healthy again {recovered_in:.2f}s after the restore")

    for request, (status, retry_after, took) in answers.items():
        assert status == 503, request
        assert took < answer_within, (request, took)
        if request != "GET /healthz":
            assert int(retry_after or 0) >= 1, request
    assert server.process.starts == 1, "recovered only by a restart"
    assert server.process.alive
    assert server.get("/v1/records").status_code == 200
    assert_completed_once_each(server, llm, postgres_url, ids)
    print(f"all done {time.monotonic() - restored_at:.1f}s after the restore")


def test_app_database_outage_with_separate_system_database_loses_no_article(
    postgres_url: str, proxy: TcpProxy, cluster: Cluster, tmp_path: Path
) -> None:
    server, ids, llm = start_busy_server(
        cluster, tmp_path, through(proxy, postgres_url), postgres_url
    )
    proxy.cut()  # only the records database: DBOS's checkpoints go on
    time.sleep(LLM_DELAY + 1.5)
    proxy.restore()
    server.wait_healthy(within=15)
    assert_completed_once_each(server, llm, postgres_url, ids)
