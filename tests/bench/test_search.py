"""The search benchmark loads records through the storage code and times each query kind."""

import re

from tests.support.bench import row, run_bench


def test_search_bench_prints_p50_p95_for_every_query_kind() -> None:
    output = run_bench("bench/search.py", "--db", "sqlite", "--records", "200", "--requests", "3")
    assert "200 records loaded" in output
    for kind in ("country", "mediator", "q", "country+kind+since", "country, page 2"):
        cells = row(output, kind)
        assert cells[1] == "3"
        assert float(cells[2]) > 0, f"{kind} found nothing"  # items per page
        assert re.fullmatch(r"\d+\.\d / \d+\.\d", cells[3]), cells
