"""Helpers the tests share with the benchmarks: fixture builders and fidelity measures."""
