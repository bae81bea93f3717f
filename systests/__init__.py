"""The system tests: the whole platform driven from outside (the edge, faults under traffic, the
monitoring proof, the fuzz run, the browser tests), run under pytest with the shared fixtures of
conftest.py. Also the programs the benchmarks and testkit run: hash_flood, web_bench and
webhook_receiver."""
