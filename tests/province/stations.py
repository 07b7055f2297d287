"""Small stations built as real SQLite apps inside a province test: each makes its package of October 2026
with the real exchange code and keeps its dashboard's numbers (indicators.compute) to compare with."""
import base64
import json
from datetime import date, datetime

import factories
from factories import in_app, make_person, make_talk, make_user

from portal import create_app, db
from portal.exchange import archive, signing
from portal.models import Case, Screening, Setting
from portal.permissions import STATION
from portal.reports import indicators

OCTOBER = date(2026, 10, 1)


class Station:
    """One station: its code, its package bytes, its public key (base64) and its dashboard for the month."""

    def __init__(self, folder, config, code, size, month=OCTOBER, also=()):
        self.folder = folder / code  # its own folder: the key file lives beside the database
        self.folder.mkdir()
        app = create_app({**config, "DATABASE": str(self.folder / "portal.sqlite3"), "INSTANCE": "station",
                          "DATABASE_URL": None})
        db.upgrade()
        factories.apps.append(app)
        try:
            self.code = code
            self.data, self.dashboard, self.last_year = self.build(app, code, size, month)
            self.more = {first: self.package(app, first) for first in also}  # month -> (bytes, dashboard)
            self.key = json.loads(self.data)["key"]
        finally:
            factories.apps.pop()
            db.database.close()

    @staticmethod
    def build(app, code, size, month):
        staff = make_user("officer")
        for i in range(size):
            person = make_person("站%s人%d" % (code[-2:], i), male=i % 3 != 0, measure=(
                "community_detox", "community_rehab")[i % 2], birth_date=date(1970 + i * 3 % 40, 1 + i % 12, 10))
            for n in range(i % 4):
                make_talk(person, staff.id, held_at=datetime(2026, 10, 2 + n, 9))
                make_talk(person, staff.id, held_at=datetime(2026, 8 + n % 2, 10 + n, 9))  # August, September
            if i % 3 == 1:
                in_app(lambda p=person: Screening.create(
                    person=p, case=p.current_case(), staff=staff.id, tested_on=date(2026, 10, 15),
                    result="positive", collectors="甲、乙"))()
            if i % 4 == 2:  # served this year: not registered a year before
                in_app(lambda p=person: Case.update(decision_date=date(2026, 3, 1), served_date=date(2026, 3, 2),
                                                    report_date=date(2026, 3, 9)).where(Case.person == p.id).execute())()
        with app.app_context():
            Setting.replace(key="station.code", value=code).execute()
        data, dashboard = Station.package(app, month)
        with app.app_context():
            period = indicators.period_of("month", month.year, month.month)
            return data, dashboard, indicators.compute(STATION, period.last_year())

    @staticmethod
    def package(app, month):
        """The month's package built by the real exchange code, and the dashboard's numbers for that month."""
        with app.app_context():
            _, data, _ = archive.make(month, via="cli")
            return data, indicators.compute(STATION, indicators.period_of("month", month.year, month.month))


def other_key_package(station):
    """The station's package re-signed with a key that is not the registered one."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    payload = signing.verify(station.data)
    return signing.sign(payload, Ed25519PrivateKey.generate())


def raw(b64):
    return base64.b64decode(b64)
