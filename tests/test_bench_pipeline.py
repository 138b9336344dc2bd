"""The pipeline benchmark runs end to end on a tiny size and prints its figures."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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


def test_pipeline_bench_prints_throughput_latency_and_cpu_per_article() -> None:
    output = run_bench("bench/pipeline.py", "--db", "sqlite", "--articles", "4", "--solo", "1")
    burst, burst_cpu = rows(output, "burst (8 posting clients)")
    assert burst[2] == "4"
    assert float(burst[3]) > 0  # articles/s
    for cell in burst[4:]:
        assert re.fullmatch(r"\d+\.\d / \d+\.\d", cell), cell  # p50 / p95 ms
    assert row(output, "solo (one at a time)")[2] == "1"
    service_cpu_ms, *_others = (float(c) for c in burst_cpu[2:])
    assert service_cpu_ms > 0
