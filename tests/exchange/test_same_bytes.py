"""The package's bytes for the same database and month never change when its build gets faster: the SHA-256 of
the canonical payloads of a seeded demo station, as main's code built them before the build counted the month,
the quarter and the year to date in one query (commit 6b4f082; the clock fixes generatedAt)."""
import hashlib

import pytest
from factories import in_app

from portal import demo
from portal.dates import today
from portal.db import database
from portal.exchange import package, signing
from portal.reports import indicators

# month -> SHA-256 of signing.canonical(package.build(month, "520102-01")) on demo.build(persons=60, seed=2026)
# at the test clock (2026-11-20): October opens a quarter, August is mid-quarter, March and January are in Q1.
BEFORE = {
    "2026-10": "73846bd0363867e036768a4df9f9dbeff8aa08286ae1d93489fee0609c2147b3",
    "2026-08": "087d2b9b980066e5937090a461b82a3c508ef80199710fb7ac30477ed8c7ee06",
    "2026-03": "5ae3e65044eeaf62c5d1cf8815ef82283995e9eab3fc0c82fe8645ec1c2072e2",
    "2026-01": "38dd35dff148fd8bf8bb6959d7a2cda155e0e0158c017936c5b7e15c55e9f5dd",
}


@pytest.fixture
def payloads(app):
    @in_app
    def built():
        with database.connection_context():
            demo.build(persons=60, seed=2026)
            return {month: package.build(package.parse_month(month, today()), "520102-01") for month in BEFORE}
    return built()


def test_the_same_station_and_month_give_the_same_bytes_as_before(payloads):
    got = {month: hashlib.sha256(signing.canonical(payload)).hexdigest() for month, payload in payloads.items()}
    assert got == BEFORE


def test_the_dated_indicators_differ_between_the_month_the_quarter_and_the_year(payloads):
    """The demo has records in each of the nested periods, so a record put with the wrong one changes the bytes."""
    payload = payloads["2026-08"]
    totals = {(v["dataElement"], v["period"]): v["numerator"] for v in payload["values"] if not v["breakdown"]}
    spread = [code for key, code in package.CODES.items() if key in indicators.DATED
              and totals[code, "2026-08"] < totals[code, "2026-07/2026-08"] < totals[code, "2026-01/2026-08"]]
    assert {"TALKS", "HOME_VISITS", "TESTS"} <= set(spread)
