"""The installed `parley` script itself: the other process tests fork their commands from a
server that imported the app once (`tests.support.launcher`); this one starts the script as a
user does, so the entry point and a cold start stay covered."""

import signal
import subprocess
from pathlib import Path

import pytest

from tests.support.processes import Cluster, serve_env, statuses, wait_until

pytestmark = pytest.mark.slow


def test_the_parley_script_serves_extracts_and_stops_on_sigterm(
    cluster: Cluster, tmp_path: Path
) -> None:
    llm = cluster.fake_llm(delay=0.0)
    env = serve_env(tmp_path, llm, concurrency=1)
    server = cluster.serve("serve", env, script=True)
    assert isinstance(server.process.popen, subprocess.Popen), "started through the script"

    posted = server.post("/v1/articles", json={"text": "Sudan and the RSF agreed a truce."})
    assert posted.status_code == 202, posted.text
    article_id = posted.json()["id"]
    done = lambda: statuses(env["PARLEY_DATABASE_URL"]).get(article_id) == "done"  # noqa: E731
    wait_until(done, 60, server.process)

    server.process.terminate(within=15)
    assert server.process.returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in server.process.log_tail(1000)
