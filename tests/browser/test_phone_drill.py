"""A dashboard drill-down on a phone (390×844): its two columns span the screen, the rows as wide as the table
(no white strip beside them), nothing scrolls sideways; at 1366 px the table spans the page as before."""
import pytest
from playwright.sync_api import expect
from steps import log_in, watched_page
from test_phone import PHONE, assert_fits

from portal import demo

# the table, its region and its rows' right edges, rounded to whole pixels
BOXES = """() => {
  const table = document.querySelector('#results table'), region = document.querySelector('#results');
  const right = el => Math.round(el.getBoundingClientRect().right);
  return {table: right(table), region: right(region), left: Math.round(table.getBoundingClientRect().left),
          rows: Array.from(table.querySelectorAll('tbody tr')).slice(0, 20).map(right)};
}"""


@pytest.fixture
def station(app):
    with app.app_context():
        demo.build(persons=40)


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1366, "height": 768}])
@pytest.mark.parametrize("drill", ["registered/numerator", "screenings/numerator"])
def test_a_drill_down_spans_the_screen_without_a_strip_beside_its_rows(station, browser, live_server, viewport, drill):
    with watched_page(browser, live_server, viewport=viewport) as page:
        log_in(page, "lead", demo.DEMO_PASSWORD)
        page.goto("/indicators/%s?kind=year&year=2026&number=1" % drill)
        expect(page.locator("#results tbody tr").first).to_be_visible()
        boxes = page.evaluate(BOXES)
        assert boxes["table"] == boxes["region"] and boxes["left"] >= 0, boxes
        assert set(boxes["rows"]) == {boxes["table"]}, boxes
        if viewport == PHONE:
            assert_fits(page)
