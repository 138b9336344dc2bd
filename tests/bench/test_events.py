"""The events benchmark loads attached stores in bulk, checks them against the real code, times
attaching new reports to each, and times GET /v1/events."""

import re

from tests.support.bench import row, rows, run_bench

P50_P95 = r"\d+\.\d / \d+\.\d"


def test_events_bench_prints_attach_costs_per_store_size_and_event_search_latencies() -> None:
    output = run_bench(
        "bench/events.py",
        *("--db", "sqlite", "--sizes", "300,1000", "--attach", "6", "--warmup", "1"),
        *("--events", "400", "--requests", "2", "--check", "5"),
    )
    small, large = rows(output, "sqlite")[:2]
    assert small[1] == "300"
    assert large[1] == "1,000"
    for store in (small, large):
        joined, new = (int(n) for n in re.findall(r"\d+", store[4])[:2])
        assert joined + new == 6
        assert "(6 as meant)" in store[4]  # each report joined, or not, as the data says
        for cell in store[5:9]:  # joining and starting: wall and CPU ms, p50 / p95
            assert re.fullmatch(P50_P95, cell), store
        assert re.fullmatch(r"\d+\.\d; \d+\.\d", store[9]), store  # whole store step, p50
    ratios = row(output, "1,000 / 300")
    assert re.fullmatch(r"\d+\.\d\d / \d+\.\d\d", ratios[2]), ratios
    assert "400 events" in output
    for kind in ("country, frequent", "country, rare", "country, rare, page 2", "mediator, rare"):
        cells = row(output, kind)
        assert cells[1] == "2"
        assert re.fullmatch(P50_P95, cells[3]), cells
    assert float(row(output, "country, frequent")[2]) > 0  # items per page
