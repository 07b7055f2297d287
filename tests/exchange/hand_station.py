"""The small station built by hand for the package of October 2026 (the test clock stands at 2026-11-20).

    P1  M, born 1990-05-01 (36: 35_49), 海洛因, 社戒 served 2025-01-05, running; positive test and a talk
        in October 2026
    P2  F, born 2008-10-31 (18 on 2026-10-31 itself: 18_34), 冰毒, 社康 served 2026-10-02, reported 10-10
        with an agreement
    P3  F, born 2008-11-01 (18 the day after: LT18), no drug recorded, 社戒 served 2026-05-01, running
    P4  M, born 1970-01-01 (56: 50P), 曲马多 (not on the list: OTHER), 社戒 served 2023-01-01, released
        2026-03-31, a talk after release on 2026-06-01
    P5  M, born 1976-11-01 (49 on 10-31: 35_49), 麻古 (METH), 社康 served 2025-06-01, running
    P6  M, born 1976-10-31 (50 on 10-31: 50P), 大麻, 社戒 served 2026-10-25, not reported yet (待报到)

    registered 2026-10-31: P1 P2 P3 P5 P6 = 5 (CD 3, CR 2; M 3, F 2; LT18 1, 18_34 1, 35_49 2, 50P 1;
        HEROIN 1, METH 2, CANNABIS 1, UNKNOWN 1)
    registered 2025-10-31: P1 P4 P5 = 3 (ages then: P1 35, P4 55, P5 48)
"""
from datetime import date, datetime

import pytest
from factories import in_app, valid_id

from portal.models import Agreement, Case, CaseEvent, Person, Screening, Setting, Talk, User

OCTOBER = date(2026, 10, 1)
STATION_CODE = "520102-01"


@in_app
def person(name, sex, birth, drug):
    return Person.create(name=name, sex=sex, birth_date=birth, id_number=valid_id(birth, sex == "M"),
                         drug_type=drug, **Person.search_keys(name))


@in_app
def case_for(who, measure, served, report=None, released=None, agreement=False):
    """A case with the events the indicators read (report, release)."""
    case = Case.create(person=who, measure=measure, decision_number="决字%d" % who.id, decision_date=served,
                       served_date=served, report_date=report, term_months=36, street="新华路街道",
                       status="active" if report else "pending_report")
    if report:
        CaseEvent.create(case=case, action="report", from_status="pending_report", to_status="active", on=report)
    if released:
        CaseEvent.create(case=case, action="release", from_status="active", to_status="released", on=released,
                         document_number="D")
        Case.update(status="released").where(Case.id == case.id).execute()
    if agreement:
        Agreement.create(case=case, edition=1, signed_on=report, measures="m", obligations="o", liability="l",
                         staff=User.select().first())
    return case


@pytest.fixture
def station(users):
    staff = users["officer"].id
    p = {
        "P1": person("甲一", "M", date(1990, 5, 1), "海洛因"),
        "P2": person("乙二", "F", date(2008, 10, 31), "冰毒（甲基苯丙胺）"),
        "P3": person("丙三", "F", date(2008, 11, 1), None),
        "P4": person("丁四", "M", date(1970, 1, 1), "曲马多"),
        "P5": person("戊五", "M", date(1976, 11, 1), "麻古"),
        "P6": person("己六", "M", date(1976, 10, 31), "大麻"),
    }
    c1 = case_for(p["P1"], "community_detox", date(2025, 1, 5), date(2025, 1, 10))
    case_for(p["P2"], "community_rehab", date(2026, 10, 2), date(2026, 10, 10), agreement=True)
    case_for(p["P3"], "community_detox", date(2026, 5, 1), date(2026, 5, 5))
    case_for(p["P4"], "community_detox", date(2023, 1, 1), date(2023, 1, 3), released=date(2026, 3, 31))
    case_for(p["P5"], "community_rehab", date(2025, 6, 1), date(2025, 6, 3))
    case_for(p["P6"], "community_detox", date(2026, 10, 25))

    @in_app
    def records():
        Screening.create(person=p["P1"], case=c1, staff=staff, tested_on=date(2026, 10, 15), result="positive",
                         collectors="甲、乙")
        for who, on in ((p["P1"], datetime(2026, 10, 3, 9)), (p["P4"], datetime(2026, 6, 1, 9))):
            Talk.create(person=who, staff=staff, held_at=on, place="phone", topics="thoughts", assessment="stable",
                        signature="signed")
    records()
    return p


@pytest.fixture
def coded(app):
    """The station code is set."""
    in_app(lambda: Setting.replace(key="station.code", value=STATION_CODE).execute())()
    return STATION_CODE
