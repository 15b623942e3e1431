"""The benchmark harness: QBR Dashboard measured against the physical limit and the tools users would pick instead.

``make bench`` (``python -m bench``) generates the deterministic dataset, runs every workload, prints a table of
ratios and writes ``docs/benchmarks.md``. Every comparison is a ratio of two figures measured in the same run.
"""
