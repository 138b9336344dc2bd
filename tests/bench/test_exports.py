"""The exports benchmark loads rows in bulk and streams every export from a real server."""

from tests.support.bench import rows, run_bench


def test_exports_bench_prints_rows_speed_and_peak_memory_for_each_export() -> None:
    output = run_bench("bench/exports.py", "--db", "sqlite", "--sizes", "150,300")

    assert "300 rows loaded" not in output  # grown by 150, not reloaded
    assert "150 rows loaded" in output
    for route in ("records", "events"):
        exports = rows(output, route)
        assert [(r[1], r[2]) for r in exports] == [
            ("csv", "150"),
            ("ndjson", "150"),
            ("csv", "300"),
            ("ndjson", "300"),
        ]
        for cells in exports:
            assert float(cells[5].replace(",", "")) > 0  # rows/s
            assert float(cells[6]) > 0 < float(cells[7])  # RSS before, peak (MiB)
