"""The province tests' throw-away PostgreSQL cluster: portal/province/cluster.py (shared with `make province`
and scripts/bench_province.py), in a temp folder on a free port, one fresh database per test."""
from portal.province.cluster import Cluster, bindir, free_port  # noqa: F401 (the tests' names)
