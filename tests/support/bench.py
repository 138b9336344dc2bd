"""Run a benchmark script as a user would, and read the figures tables it prints."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bench(*args: str) -> str:
    """Run a benchmark script as a user would; its standard output."""
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def rows(output: str, label: str) -> list[list[str]]:
    """The cells of every table row whose cells include `label`."""
    found = []
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if label in cells:
            found.append(cells)
    assert found, f"no row {label!r} in:\n{output}"
    return found


def row(output: str, label: str) -> list[str]:
    """The cells of the first table row whose cells include `label`."""
    return rows(output, label)[0]
