"""Benchmarks: mockserver throughput, latency, start-up time and memory against bare aiohttp."""
