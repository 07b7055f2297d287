"""The tests' PostgreSQL cluster: the one module the tests and scripts/bench_province.py share."""
from portal.province.cluster import Cluster  # noqa: F401
