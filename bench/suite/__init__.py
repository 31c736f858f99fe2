"""The benchmark suite of bench/run.py: processes, sections, statistics."""
