"""The benchmark suite behind `make bench` (not a test: it measures and reports, and names any miss)."""
