"""The province's fixtures: a real PostgreSQL cluster for the session (started and stopped here), a fresh
database and the real province app per test, its two roles. Every test here is marked `province`."""
import pytest
from factories import make_user

from portal.province.cluster import Cluster



def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/province/" in str(item.fspath):
            item.add_marker(pytest.mark.province)


@pytest.fixture(scope="session")
def postgres():
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def app_config(app_config, postgres):
    """The province on a fresh PostgreSQL database (tests/conftest.py's `app` builds and migrates it)."""
    return {**app_config, "INSTANCE": "province", "DATABASE_URL": postgres.createdb()}


@pytest.fixture
def users(app):
    return {"admin": make_user("province_admin", username="admin"),
            "viewer": make_user("province_viewer", username="viewer")}
