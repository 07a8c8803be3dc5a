"""Benchmarks and data generators (see docs/performance.md); never part of ``make test``."""
