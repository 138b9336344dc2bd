"""The benchmarks' child processes: a server counts as up only once it holds its own port."""

import os
import socket
import sys
from pathlib import Path

import httpx
import pytest

from bench import processes
from bench.processes import listens_on, on_free_port


def test_a_process_listens_on_the_port_it_bound_and_not_on_another() -> None:
    with socket.socket() as mine, socket.socket() as idle:
        mine.bind(("127.0.0.1", 0))
        mine.listen()
        idle.bind(("127.0.0.1", 0))  # bound, never listening
        assert listens_on(os.getpid(), mine.getsockname()[1])
        assert not listens_on(os.getpid(), idle.getsockname()[1])


def test_a_server_whose_port_was_taken_first_is_started_again_on_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process took the "free" port between the lookup and the bind: it answers the
    # health check too, so only the socket's owner tells the two servers apart.
    with processes.fake_llm(tmp_path / "squatter.log") as (squatter, _):
        taken = httpx.URL(squatter).port
        assert taken is not None
        ports = iter([taken])
        real_free_port = processes.free_port
        monkeypatch.setattr(processes, "free_port", lambda: next(ports, None) or real_free_port())

        def args(port: int) -> list[str]:
            return [sys.executable, "-m", "tests.support.llm_server", "--port", str(port)]

        with on_free_port(args, "/calls", {}, tmp_path / "llm.log") as (port, process):
            assert port != taken
            assert listens_on(process.pid, port)
            assert httpx.get(f"http://127.0.0.1:{port}/calls").status_code == 200
