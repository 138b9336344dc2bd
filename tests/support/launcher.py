"""Starting `parley` commands as real processes without paying their imports every time.

A process test boots `parley serve` or `parley worker` again and again (about 34 times a
suite), and importing the app costs about 4-5 s of CPU each time on the CI machines: most of a
process test's own cost. So each test worker keeps one server process that has imported the
whole app (multiprocessing's forkserver, the one `app.parsing.isolation` already uses for its
parsers) and forks the commands from it. The child then runs exactly what the `parley` script
runs, `app.cli.main`, with the command's arguments, environment, working directory and log, and
leaves as the interpreter would (non-daemon threads joined, exit handlers run). Its pid is its
own: tests signal it, SIGKILL it and read its sockets as they would a `subprocess.Popen`'s.

Nothing is read at import time (settings are read in the lifecycle, `app.config.get_settings`),
so a fork carries no state of the server's; the settings cache is cleared all the same.
`tests/processes/test_console_script.py` boots the installed script itself.
"""

import atexit
import multiprocessing
import os
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from pathlib import Path

# Everything a running service imports: the app (with the parsers the isolation preloads), and
# the uvicorn parts `parley serve` picks at run time.
PRELOAD = ["tests.support.preloaded"]
_context = multiprocessing.get_context("forkserver")


def preload() -> None:
    """Make the forkserver import the app when it starts (call before anything starts it)."""
    _context.set_forkserver_preload(PRELOAD)


class Forked:
    """A `parley` command in a child of the forkserver, with the part of `subprocess.Popen`'s
    interface the process tests use."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.args = args
        self._process: BaseProcess = _context.Process(
            target=_run, args=(args, env, str(cwd), str(log)), name=f"parley {args[0]}"
        )
        self._process.start()
        assert self._process.pid is not None
        self.pid: int = self._process.pid

    def poll(self) -> int | None:
        """The exit status (negative: killed by that signal), None while it runs."""
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for it to exit; `subprocess.TimeoutExpired` after `timeout` seconds."""
        self._process.join(timeout)
        code = self._process.exitcode
        if code is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return code

    def send_signal(self, sig: int) -> None:
        """Send `sig` to the command."""
        if self._process.exitcode is None:
            os.kill(self.pid, sig)


def _run(args: list[str], env: dict[str, str], cwd: str, log: str) -> None:
    """In the child: become `parley <args>` with its own environment and log, then exit as the
    interpreter would after it."""
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = ["parley", *args]
    from app.cli import main
    from app.config import get_settings

    get_settings.cache_clear()
    os._exit(_exit_code(main))


def _exit_code(main: Callable[[], None]) -> int:
    code = 0
    try:
        main()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if not isinstance(stop.code, int | None):
            print(stop.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
        code = 1
    # What the interpreter does on its way out, which os._exit would skip.
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    return code
