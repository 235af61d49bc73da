"""Benchmarks (`make bench`): ingest throughput, search latency and retrieval quality."""
