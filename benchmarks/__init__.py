"""Benchmarks: synthetic registry-scale data and the runner that measures trialfinder on it."""
