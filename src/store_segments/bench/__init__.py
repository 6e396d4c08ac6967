"""Benchmarks and developer checks: the benchmark and its floor, a model alone under a memory cap,
engine parity, the loopback Spark cluster, coverage thresholds and the BTYD fits' timing."""
