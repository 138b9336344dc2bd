"""Real processes for durability tests: `parley serve`, `parley worker` and the fake LLM, each on
a free loopback port, with its output in a log file and a finaliser that never leaves it behind;
and the databases they share with the test.

`Cluster` owns every process a test starts; leaving its `with` block kills whatever still runs.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from app.db.engine import make_engine
from bench.processes import free_port, listens_on, port_taken
from tests.support.databases import BACKGROUND_QUEUE_POLL_SECONDS, QUEUE_POLL_SECONDS
from tests.support.launcher import Forked
from tests.support.llm_server import first_sentence

REPO = Path(__file__).resolve().parents[2]
PARLEY = shutil.which("parley", path=str(Path(sys.executable).parent)) or "parley"
# Settings a test process must not inherit from the shell running the tests.
_SCRUBBED_PREFIXES = ("PARLEY_", "OPENAI_", "DBOS")


def clean_env(**values: str) -> dict[str, str]:
    """The test's environment without Parley/OpenAI settings, plus `values`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}
    env.update(values)
    return env


@dataclass
class Process:
    """One child process, restartable with the same command and environment. A `parley`
    command is forked from the pre-imported server (`tests.support.launcher`) unless `script`
    asks for the installed console script itself."""

    name: str
    args: list[str]
    env: dict[str, str]
    cwd: Path
    log_path: Path
    script: bool = False
    popen: subprocess.Popen[bytes] | Forked | None = None
    starts: int = 0

    def start(self) -> None:
        """Start (or start again) the process, appending its output to the log file."""
        assert not self.alive, f"{self.name} is already running"
        with self.log_path.open("ab") as log:
            log.write(f"\n===== start {self.starts + 1} of {self.name} =====\n".encode())
            log.flush()
            if self.args[0] == PARLEY and not self.script:
                self.popen = Forked(self.args[1:], self.env, self.cwd, self.log_path)
            else:
                self.popen = subprocess.Popen(
                    self.args, env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT
                )
        self.starts += 1

    @property
    def alive(self) -> bool:
        """Whether the process is running."""
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL, and reap it: nothing gets to clean up."""
        if self.popen is not None and self.alive:
            self.popen.send_signal(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def terminate(self, within: float) -> float:
        """SIGTERM; the seconds it took to exit (killed, and an error, beyond `within`)."""
        assert self.popen is not None, f"{self.name} was never started"
        assert self.alive, f"{self.name} is not running"
        began = time.monotonic()
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.name} still running {within}s after SIGTERM") from None
        return time.monotonic() - began

    @property
    def returncode(self) -> int | None:
        """The exit status of the last run (None while running)."""
        return None if self.popen is None else self.popen.poll()

    def latest_output(self) -> bytes:
        """What the process wrote since its latest start."""
        return self.log_path.read_bytes().rsplit(b"===== start", 1)[-1]

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the process's output, for failure messages."""
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-chars:]


@dataclass
class Cluster:
    """The processes of one test, their ports, and the directory they write into."""

    workdir: Path
    processes: list[Process] = field(default_factory=list)

    def spawn(
        self, name: str, args: list[str], env: dict[str, str], cwd: Path, *, script: bool = False
    ) -> Process:
        """Create and start a process, owned by this cluster (`script`: see `Process`)."""
        proc = Process(name, args, env, cwd, self.workdir / f"{name}.log", script)
        self.processes.append(proc)
        proc.start()
        return proc

    def fake_llm(self, delay: float, *options: str) -> "FakeLLM":
        """Start the fake OpenAI-compatible endpoint answering after `delay` seconds (`options`:
        more of `tests.support.llm_server`'s, e.g. its Batch API delays)."""

        def start(port: int) -> Process:
            args = [sys.executable, "-m", "tests.support.llm_server", "--port", str(port)]
            args += ["--delay", str(delay), *options]
            return self.spawn("llm", args, clean_env(), REPO)

        return FakeLLM(*self._on_free_port(start, "/calls", 20))

    def serve(self, name: str, env: dict[str, str], *, script: bool = False) -> "Server":
        """Start `parley serve` on a free port and wait until /healthz answers 200."""

        def start(port: int) -> Process:
            args = [PARLEY, "serve", "--port", str(port)]
            return self.spawn(name, args, clean_env(**env), self.workdir, script=script)

        return Server(*self._on_free_port(start, "/healthz", 60))

    def _on_free_port(
        self, start: Callable[[int], Process], probe: str, within: float
    ) -> tuple[Process, str]:
        """A process `start`ed on a free port, once it answers the path `probe` 200 and holds
        the port itself; started again on another port when one was taken first."""
        for _ in range(3):
            port = free_port()
            proc, url = start(port), f"http://127.0.0.1:{port}"
            try:
                wait_until(lambda: _answers_as(proc, url + probe), within, proc)
            except AssertionError:
                if proc.alive or not port_taken(proc.latest_output()):
                    raise
                continue
            return proc, url
        raise AssertionError("three free ports in a row were taken before they were bound")

    def worker(self, name: str, env: dict[str, str], *, wait: bool = True) -> Process:
        """Start `parley worker` and (unless told not to) wait until it is listening."""
        proc = self.spawn(name, [PARLEY, "worker"], clean_env(**env), self.workdir)
        if wait:
            wait_for_worker(proc)
        return proc

    def close(self) -> None:
        """Kill every process still running."""
        for proc in self.processes:
            proc.kill()

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@dataclass
class FakeLLM:
    """The running fake endpoint."""

    process: Process
    url: str

    @property
    def base_url(self) -> str:
        """What OPENAI_BASE_URL should be."""
        return f"{self.url}/v1"

    def calls(self) -> dict[str, int]:
        """Completions requested so far, per article (keyed by its first sentence)."""
        by_article: dict[str, int] = httpx.get(f"{self.url}/calls", timeout=5).json()["by_article"]
        return by_article

    def total(self) -> int:
        """Completions requested so far."""
        return sum(self.calls().values())

    def counts(self) -> dict[str, Any]:
        """Everything the fake counts: completions, batch requests, batches, downloads."""
        body: dict[str, Any] = httpx.get(f"{self.url}/calls", timeout=5).json()
        return body


@dataclass
class Server:
    """A running `parley serve`."""

    process: Process
    url: str

    def wait_healthy(self, within: float = 60) -> None:
        """Wait for /healthz to answer 200 (after a (re)start)."""
        wait_until(lambda: _answers_as(self.process, f"{self.url}/healthz"), within, self.process)

    def restart(self) -> None:
        """Start the same command again on the same port, then wait until healthy."""
        self.process.start()
        self.wait_healthy()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET on the server."""
        return httpx.get(f"{self.url}{path}", timeout=kwargs.pop("timeout", 15), **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        """POST on the server."""
        return httpx.post(f"{self.url}{path}", timeout=kwargs.pop("timeout", 15), **kwargs)


def _answers_as(proc: Process, url: str) -> bool:
    """Whether `url` answers 200 from `proc` (not from whoever took its port first)."""
    try:
        answered = httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
    port = httpx.URL(url).port
    return (
        answered
        and proc.popen is not None
        and port is not None
        and listens_on(proc.popen.pid, port)
    )


def wait_until(
    check: Callable[[], bool], within: float, proc: Process | None = None, every: float = 0.05
) -> None:
    """Poll `check()` until true; fail with the process's log if it died or time ran out."""
    deadline = time.monotonic() + within
    while not check():
        if proc is not None and not proc.alive:
            raise AssertionError(f"{proc.name} exited ({proc.returncode}):\n{proc.log_tail()}")
        if time.monotonic() > deadline:
            tail = proc.log_tail() if proc else ""
            raise AssertionError(f"condition not met within {within}s\n{tail}")
        time.sleep(every)


def is_listening(proc: Process) -> bool:
    """Whether a worker printed its 'listening' line since its latest start."""
    latest = proc.log_path.read_text(errors="replace").rsplit("===== start", 1)[-1]
    return "listening" in latest


def wait_for_worker(proc: Process, within: float = 60) -> None:
    """Wait until a worker (re)started is listening to the queue."""
    wait_until(lambda: is_listening(proc), within, proc)


def article_text(n: int) -> str:
    """Article number `n`: its first sentence, unique, is what the fake LLM counts calls by."""
    return (
        f"Talks in Jeddah, round {n}, ended with a ceasefire between Sudan and the RSF. "
        "The truce starts on Monday, the mediators said."
    )


def article_key(n: int) -> str:
    """How the fake LLM names article number `n` in its call counts."""
    return first_sentence(article_text(n))


def serve_env(workdir: Path, llm: FakeLLM, *, concurrency: int) -> dict[str, str]:
    """Settings of a `parley serve` on SQLite in `workdir`, extracting through the fake LLM."""
    return {
        "PARLEY_DATABASE_URL": f"sqlite:///{workdir / 'parley.db'}",
        "PARLEY_AUTO_MIGRATE": "true",
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_API_KEY": "sk-test",
        "PARLEY_RELEVANCE_GATE": "false",
        # One call per extraction attempt, so the fake's counts mean what the tests say.
        "PARLEY_LLM_SDK_RETRIES": "0",
        "PARLEY_QUEUE_CONCURRENCY": str(concurrency),
        # As the in-process tests poll (tests/support/databases.py). At 0.05 s on every queue an
        # idle server spent 37% of a core polling, and with a few servers per test on each of
        # CI's test workers the polling took more of the two cores than the work.
        "PARLEY_QUEUE_POLL_SECONDS": str(QUEUE_POLL_SECONDS),
        "PARLEY_BACKGROUND_QUEUE_POLL_SECONDS": str(BACKGROUND_QUEUE_POLL_SECONDS),
        "PARLEY_QUEUE_RATE_LIMIT": "100000",
        "PARLEY_JOB_RETRY_BASE_SECONDS": "0.1",
        "PARLEY_LOG_FORMAT": "text",
    }


def count_by_article(db_url: str, table: str) -> dict[int, int]:
    """Rows of `table` ("record", "extraction") per article id, read straight from the database."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT article_id, COUNT(*) FROM {table} GROUP BY article_id")
            ).all()
    finally:
        engine.dispose()
    return {article_id: count for article_id, count in rows}


def statuses(db_url: str) -> dict[int, str]:
    """Every article's status, read straight from the database."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, status FROM article")).all()
    finally:
        engine.dispose()
    return {article_id: status for article_id, status in rows}
