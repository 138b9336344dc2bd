"""Child processes for the benchmarks: the fake LLM endpoint and the real `parley serve`,
each on a free loopback port, stopped (and waited for) on exit.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def listens_on(pid: int, port: int) -> bool:
    """Whether process `pid` holds the listening TCP socket of `port` (read from Linux's /proc).

    A free port is free only when it is looked up: another process may take it before the one
    it was meant for binds it, and then answers its health checks in its stead."""
    sockets = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        cells = line.split()
        if cells[3] == "0A" and int(cells[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
            sockets.add(f"socket:[{cells[9]}]")
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd) in sockets:
                return True
        except OSError:  # closed since the directory was listed
            continue
    return False


class PortTaken(RuntimeError):
    """The process exited because another one took its port first: start it on another."""


def wait_until_up(url: str, process: subprocess.Popen[bytes], within: float = 60.0) -> None:
    """Poll `url` until `process` answers it, failing early if the process died."""
    port = httpx.URL(url).port
    assert port is not None, url
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500 and listens_on(process.pid, port):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {within}s")


@contextmanager
def running(
    args: list[str], probe: str, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `args` until the block ends; its output goes to `log`. `PortTaken` when it exited
    because another process holds its port."""
    with log.open("wb") as out:
        # The checkout this bench belongs to, not wherever the package was installed from
        # (an editable install points at one checkout); PYTHONPATH, when set, decides.
        environ = {"PYTHONPATH": str(ROOT), **os.environ, **env}
        process = subprocess.Popen(
            args, cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            if probe:
                _wait_until_up_or_port_taken(probe, process, log)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up_or_port_taken(probe: str, process: subprocess.Popen[bytes], log: Path) -> None:
    try:
        wait_until_up(probe, process)
    except RuntimeError:
        if process.poll() is not None and port_taken(log.read_bytes()):
            raise PortTaken(f"{process.args!r}: its port was taken") from None
        raise


def port_taken(output: bytes) -> bool:
    """Whether a process's output says it could not bind its port (uvicorn's and Python's
    words for EADDRINUSE)."""
    return b"address already in use" in output.lower()


@contextmanager
def on_free_port(
    args: Callable[[int], list[str]], probe: str, env: dict[str, str], log: Path
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`running(args(port))` on a free port, up when it answers the path `probe`; started again
    on another port when one was taken first. Yields the port and the process."""
    for _ in range(3):
        port = free_port()
        with ExitStack() as stack:
            try:
                url = f"http://127.0.0.1:{port}{probe}"
                process = stack.enter_context(running(args(port), url, env, log))
            except PortTaken:
                continue
            yield port, process
            return
    raise RuntimeError(f"{args(0)!r}: three free ports in a row were taken before it bound one")


@contextmanager
def fake_llm(log: Path, delay: float = 0.0) -> Iterator[tuple[str, int]]:
    """The fake OpenAI-compatible endpoint; yields its base URL (…/v1) and process id."""

    def args(port: int) -> list[str]:
        server = [sys.executable, "-m", "tests.support.llm_server", "--port", str(port)]
        return [*server, "--delay", str(delay)]

    with on_free_port(args, "/calls", {}, log) as (port, process):
        yield f"http://127.0.0.1:{port}/v1", process.pid


@contextmanager
def parley_serve(env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """`parley serve` with `env` on top of ours; yields its base URL and process id."""
    parley = str(Path(sys.executable).with_name("parley"))

    def args(port: int) -> list[str]:
        return [parley, "serve", "--port", str(port)]

    with on_free_port(args, "/healthz", env, log) as (port, process):
        yield f"http://127.0.0.1:{port}", process.pid


@contextmanager
def parley_workers(env: dict[str, str], workdir: Path, count: int) -> Iterator[list[int]]:
    """`count` `parley worker` processes (ids bench-1…), each up when it says it listens;
    yields their process ids."""
    worker = str(Path(sys.executable).with_name("parley"))
    with ExitStack() as stack:
        pids = []
        for n in range(1, count + 1):
            log = workdir / f"worker-{n}.log"
            process = stack.enter_context(
                running([worker, "worker"], "", {**env, "PARLEY_WORKER_ID": f"bench-{n}"}, log)
            )
            _wait_for_line(log, "listening", process)
            pids.append(process.pid)
        yield pids


def _wait_for_line(log: Path, words: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while words not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{process.args!r} did not start; see {log}")
        time.sleep(0.1)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a (Linux) process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU time all cores have spent busy (not idle, not waiting on I/O) since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(fields) - fields[3] - fields[4]  # idle, iowait
    return busy / os.sysconf("SC_CLK_TCK")


@contextmanager
def profiled(pid: int, out: Path | None) -> Iterator[None]:
    """With `out`, sample `pid` with py-spy meanwhile (collapsed stacks; GIL holder only)."""
    if out is None:
        yield
        return
    spy = Path(sys.executable).with_name("py-spy")
    args = [str(spy), "record", "--pid", str(pid), "--format", "raw", "--output", str(out)]
    process = subprocess.Popen(
        [*args, "--rate", "200", "--nonblocking", "--gil"], stdout=subprocess.DEVNULL
    )
    time.sleep(0.5)  # let py-spy attach before the work starts
    try:
        yield
    finally:
        process.send_signal(2)  # SIGINT: py-spy writes its output and exits
        process.wait(timeout=30)
