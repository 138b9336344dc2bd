"""The pipeline benchmark runs end to end on a tiny size and prints its figures."""

import re

from tests.support.bench import row, rows, run_bench


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
