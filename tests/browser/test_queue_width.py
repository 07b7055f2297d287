"""今日待办 on a 1024 px screen (a station's older monitor) and at 1366: the table fits its frame, so the
one-click 在家，已走访 and 阴性 are never cut off and nothing scrolls sideways."""
from datetime import date

import pytest
from factories import in_app
from playwright.sync_api import expect
from steps import log_in, watched_page

from portal.models import Person, RiskAssessment, Screening


@in_app
def due(zhang, li, worker):
    """Both owe a talk, a visit (an address on file) and a urine test (an earlier test remembered); their
    risk level shows with the date of its review; 李四 is renamed to a long name (as the station's demo has)."""
    Person.update(residence_address="南明区新华路街道新华路 12 号").execute()
    Person.update(name="古丽米热阿不都热合曼").where(Person.id == li.id).execute()
    for person in (zhang, li):
        Screening.create(person=person, case=person.current_case(), staff=worker, tested_on=date(2026, 9, 20),
                         result="negative", collectors="李明、陈丽", police_station="新华路派出所", signed=True)
        RiskAssessment.create(person=person, assessor=worker, assessed_on=date(2026, 8, 1), level="medium",
                              next_review=date(2026, 11, 1))


@pytest.mark.parametrize("width", [1024, 1366])
def test_the_queue_table_fits_its_frame(browser, live_server, width):
    due(live_server.persons["张三"], live_server.persons["李四"], live_server.worker)
    with watched_page(browser, live_server, viewport={"width": width, "height": 768}) as page:
        log_in(page)
        page.goto("/queue/")
        frame = page.locator("#results .tablewrap")
        button = frame.get_by_role("button", name="在家，已走访").first
        expect(button).to_be_visible()
        sizes = frame.evaluate("f => [f.scrollWidth, f.clientWidth, f.querySelector('table').offsetWidth]")
        assert sizes[0] <= sizes[1], "the table (%d px) is wider than its frame (%d px)" % (sizes[2], sizes[1])
        box, edge = button.bounding_box(), frame.bounding_box()
        assert box["x"] + box["width"] <= edge["x"] + edge["width"], (box, edge)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
