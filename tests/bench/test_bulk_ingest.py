"""The bulk benchmark's `--end-to-end` runs one `parley ingest --bulk --wait` on a tiny archive
larger than the queue and prints its figures: every article accepted and done."""

from tests.support.bench import row, run_bench


def test_end_to_end_bench_takes_an_archive_past_a_full_queue_to_done() -> None:
    output = run_bench(
        "bench/bulk_ingest.py",
        *("--end-to-end", "--articles", "30", "--batch", "10", "--max-queued", "10"),
        *("--sample", "1"),
    )
    cells = row(output, "one command")
    assert cells[1] == "30"  # accepted
    assert (cells[5], cells[6]) == ("30", "0")  # done, failed
    assert float(cells[7]) > 0  # finished/s
    assert '"created": 30' in output
