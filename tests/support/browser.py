"""A real browser on the desk: Debian's Chromium driven by Playwright (never Playwright's own
browser download), and the app served over real HTTP on a loopback port from a thread.

`chromium()` says why browser tests cannot run here (no Chromium, no Playwright), so they skip
with that reason on a fresh laptop; CI installs Chromium first (.ci/run).
"""

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from app.config import Settings
from tests.support.corpus import TESTS
from tests.support.processes import free_port

# Where every page's screenshot goes (CI keeps the folder as an artefact; README names it).
SCREENSHOTS = TESTS.parent / ".ci-artifacts" / "screenshots"
_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def chromium() -> tuple[str | None, str]:
    """The Chromium executable to drive, or None and why not."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return None, "Playwright for Python is not installed (pip install -e '.[dev]')"
    found = next((p for p in _CANDIDATES if Path(p).exists()), None) or shutil.which("chromium")
    if found is None:
        return None, "no Chromium on this machine (apt-get install chromium)"
    return found, ""


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    """The app, lifespan and all, on a loopback port from a thread; its base URL."""
    from app.main import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="desk-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the desk server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
