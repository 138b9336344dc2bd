"""Benchmarks: `python bench/<name>.py --help`; see bench/README.md."""
