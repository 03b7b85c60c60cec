"""Benchmarks: `make bench` (python -m bench). Figures are printed and written to var/bench.json."""
