"""The dashboard's period controls: one control per mode, opening on the current month or quarter
(the test clock's station date is 2026-11-20: November, the fourth quarter)."""
import re

import pytest


def controls(client, **args):
    page = client.get("/indicators/", query_string=args).get_data(as_text=True)
    start = page.index('<form class="filters"')
    form = page[start:page.index("</form>", start)]
    names = set(re.findall(r'<(?:select|input)[^>]* name="(\w+)"', form))
    selected = dict(re.findall(r'<select id="p-\w+" name="(\w+)">.*?<option value="(\w+)" selected', form, re.S))
    options = {name: re.findall(r'<option value="(\w+)"', body)
               for name, body in re.findall(r'<select id="p-\w+" name="(\w+)">(.*?)</select>', form, re.S)}
    heading = re.search(r"<h2>([^<]+)", page).group(1).strip()
    report = re.search(r'id="report-link"[^>]*>([^<]+)<', page).group(1)
    return names, selected, options, heading, report


def test_the_quarter_opens_on_the_current_quarter_with_its_own_control(client, users, login_as):
    login_as("lead")
    names, selected, options, heading, report = controls(client, kind="quarter")
    assert names == {"kind", "year", "quarter"}
    assert selected["quarter"] == "4" and options["quarter"] == ["1", "2", "3", "4"]
    assert heading.startswith("2026年第4季度") and report == "下载季报 PDF"


def test_the_month_has_its_own_control_up_to_this_month(client, users, login_as):
    login_as("lead")
    names, selected, options, heading, report = controls(client, kind="month")
    assert names == {"kind", "year", "month"}
    assert selected["month"] == "11" and options["month"] == [str(n) for n in range(1, 12)]  # December is to come
    assert heading.startswith("2026年11月") and report == "下载月报 PDF"
    _, _, options, _, _ = controls(client, kind="month", year="2025")
    assert options["month"] == [str(n) for n in range(1, 13)]


def test_changing_the_mode_does_not_carry_the_other_modes_value(client, users, login_as):
    login_as("lead")
    _, selected, _, heading, _ = controls(client, kind="month", year="2026", quarter="3")  # was Q3, now 月
    assert selected["month"] == "11" and heading.startswith("2026年11月")
    _, selected, _, heading, _ = controls(client, kind="quarter", year="2026", month="2")  # was 2月, now 季度
    assert selected["quarter"] == "4" and heading.startswith("2026年第4季度")


@pytest.mark.parametrize("args, heading", [
    ({"kind": "month", "year": "2026", "month": "11"}, "2026年11月"),  # this month: shown
    ({"kind": "month", "year": "2026", "month": "12"}, "2026年11月"),  # next month: the current one instead
    ({"kind": "quarter", "year": "2025", "quarter": "4"}, "2025年第4季度"),
    ({"kind": "quarter", "year": "2025", "quarter": "5"}, "2025年第4季度"),  # no 5th quarter: the current one
    ({"kind": "quarter", "year": "2025", "number": "2"}, "2025年第2季度"),  # links and bookmarks carry number
])
def test_values_out_of_range_open_the_current_period(client, users, login_as, args, heading):
    login_as("lead")
    assert controls(client, **args)[3].startswith(heading)


def test_the_year_and_the_range_show_only_their_fields(client, users, login_as):
    login_as("lead")
    names, _, _, heading, report = controls(client, kind="year")
    assert names == {"kind", "year"} and heading.startswith("2026年") and report == "下载年报 PDF"
    names, _, _, heading, _ = controls(client, kind="custom")
    assert names == {"kind", "start", "end"} and heading.startswith("2026-01-01 至 2026-11-20")


def test_an_htmx_change_pushes_the_url_every_link_uses(client, users, login_as):
    login_as("lead")
    response = client.get("/indicators/", query_string={"kind": "month", "year": "2026", "quarter": "3"},
                          headers={"HX-Request": "true"})
    assert response.headers["HX-Push-Url"] == "/indicators/?kind=month&year=2026&number=11"
    assert 'href="/indicators/report.pdf?kind=month&amp;year=2026&amp;number=11"' in response.get_data(as_text=True)
