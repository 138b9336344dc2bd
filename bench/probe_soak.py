"""The hostile probe's load, repeated: 20 clients post articles as fast as they are answered,
the server is SIGKILLed and restarted every few seconds, and at the end every accepted article
must be done or failed. Prints accepted vs done, refusals (503 backpressure) and what was lost.

    python bench/probe_soak.py [--db sqlite|postgres] [--seconds 30] [--kill-every 8]
        [--clients 20] [--max-queued 300]

Starts the fake LLM endpoint (tests/support/llm_server.py) and the real `parley serve`.
"""

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.db.engine import make_engine
from bench.databases import fresh_database
from bench.figures import table
from bench.pipeline import service_env
from bench.processes import ROOT, fake_llm, free_port, wait_until_up
from bench.synthetic import article_text

FINISHED = ("done", "failed")


@dataclass
class Tally:
    """What the clients saw."""

    accepted: list[int] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)


class Restartable:
    """`parley serve` on a fixed port, killed and started again on demand."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env, self.log = {**os.environ, **env}, log
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        """Start the server and wait until it answers."""
        parley = str(Path(sys.executable).with_name("parley"))
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [parley, "serve", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until_up(f"{self.url}/healthz", self.process)

    def kill(self) -> None:
        """SIGKILL: no drain, no shutdown."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.kills += 1

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


async def client_loop(url: str, serial: int, tally: Tally, until: float) -> None:
    """One client: post distinct articles until `until`, counting the answers."""
    rng = random.Random(serial)
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        n = 0
        while time.monotonic() < until:
            body = {"text": article_text(serial * 1_000_000 + n, rng), "title": f"Wire {n}"}
            n += 1
            try:
                answer = await client.post("/v1/articles", json=body)
            except httpx.TransportError:
                tally.answers["connection error"] += 1
                await asyncio.sleep(0.2)
                continue
            tally.answers[str(answer.status_code)] += 1
            if answer.status_code == 202:
                tally.accepted.append(int(answer.json()["id"]))
            elif answer.status_code == 503:
                await asyncio.sleep(float(answer.headers.get("Retry-After", "1")) / 10)


async def killer(server: Restartable, every: float, until: float) -> None:
    """SIGKILL the server every `every` seconds and start it again."""
    while time.monotonic() + every < until:
        await asyncio.sleep(every)
        server.kill()
        await asyncio.to_thread(server.start)


def statuses(engine: Engine, ids: list[int]) -> Counter[str]:
    """Articles among `ids` by status; the ones missing count as `lost`."""
    with engine.connect() as conn:
        rows: dict[int, str] = {
            int(i): str(status)
            for i, status in conn.execute(text("SELECT id, status FROM article"))
        }
    return Counter(rows.get(i, "lost") for i in ids)


def wait_finished(engine: Engine, ids: list[int], within: float) -> tuple[Counter[str], float]:
    """Poll until every accepted article is finished; its statuses and the seconds it took."""
    started = time.monotonic()
    while True:
        counts = statuses(engine, ids)
        unfinished = sum(n for status, n in counts.items() if status not in FINISHED)
        if not unfinished or time.monotonic() - started > within:
            return counts, time.monotonic() - started
        time.sleep(0.5)


async def load(server: Restartable, args: argparse.Namespace) -> Tally:
    """The clients and the killer, for `args.seconds`."""
    tally = Tally()
    until = time.monotonic() + args.seconds
    clients = [client_loop(server.url, n, tally, until) for n in range(args.clients)]
    await asyncio.gather(*clients, killer(server, args.kill_every, until))
    return tally


def report(
    args: argparse.Namespace, tally: Tally, counts: Counter[str], drained: float, kills: int
) -> str:
    """The soak's figures as a table."""
    seen = ("202", "503", "connection error")
    rows = [
        ["accepted (202)", str(len(tally.accepted))],
        ["refused, queue full (503)", str(tally.answers["503"])],
        ["connection errors (server killed)", str(tally.answers["connection error"])],
        ["other answers", str(sum(n for k, n in tally.answers.items() if k not in seen))],
        ["SIGKILLs", str(kills)],
        ["done", str(counts["done"])],
        ["failed", str(counts["failed"])],
        ["lost or unfinished", str(sum(n for s, n in counts.items() if s not in FINISHED))],
        ["seconds to drain after the load", f"{drained:.1f}"],
    ]
    title = f"probe soak on {args.db}: {args.clients} clients for {args.seconds:g} s"
    return title + "\n" + table(["figure", "value"], rows)


def main() -> int:
    """Run the soak and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--kill-every", type=float, default=8)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--max-queued", type=int, default=300)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="parley-soak-"))
    database_url = fresh_database(args.db, workdir)
    with fake_llm(workdir / "llm.log", delay=0.05) as (llm_url, _):
        env = service_env(database_url, llm_url, concurrency=4, poll=0.05)
        env["PARLEY_MAX_QUEUED_ARTICLES"] = str(args.max_queued)
        env["PARLEY_AUTO_MIGRATE"] = "true"
        server = Restartable(env, workdir / "serve.log")
        server.start()
        try:
            tally = asyncio.run(load(server, args))
            engine = make_engine(database_url)
            counts, drained = wait_finished(engine, tally.accepted, within=300)
            engine.dispose()
        finally:
            server.stop()
    print(report(args, tally, counts, drained, server.kills))
    print(f"logs in {workdir}")
    lost = sum(n for s, n in counts.items() if s not in FINISHED)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
