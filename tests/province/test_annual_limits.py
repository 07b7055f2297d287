"""The annual report PDF shares the per-user PDF limit of every printed paper (limits.py)."""
import pytest
from factories import PASSWORD


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_PDF": "2 per minute"}


def test_the_third_annual_report_in_a_minute_answers_429(app, client, users, runner):
    assert runner.invoke(args=["province-init"]).exit_code == 0
    assert client.post("/login", data={"username": "viewer", "password": PASSWORD}).status_code == 302
    for year in (2024, 2025):
        assert client.get("/province/annual.pdf?unit=520000&year=%d" % year).status_code == 200
    refused = client.get("/province/annual.pdf?unit=520100&year=2025")
    assert refused.status_code == 429 and "操作过于频繁" in refused.get_data(as_text=True)
    assert client.get("/province/?unit=520100").status_code == 200  # the tables are not limited
