"""The list behind an indicator's number (drill-down): its rows with their person, sorted by person or date,
drawn by one table on the screen and in the print view, and exported to Excel with the same words."""
from ..idcard import mask
from ..ledgers.exports import Export
from ..web.listing import PRINT_LIMIT, Sorting
from ..models import (ASSISTANCE_CATEGORIES, ASSISTANCE_STATUSES, INCIDENT_KINDS, RESULTS, AssistanceCase, Case,
                      CounsellingSession, HomeVisit, Incident, Person, Screening, Talk)

MODELS = {"case": Case, "person": Person, "incident": Incident, "talk": Talk, "visit": HomeVisit,
          "screening": Screening, "counselling": CounsellingSession, "assistance": AssistanceCase}
DATES = {"case": Case.served_date, "person": Person.birth_date, "incident": Incident.occurred_on,
         "talk": Talk.held_at, "visit": HomeVisit.visited_on, "screening": Screening.tested_on,
         "counselling": CounsellingSession.held_on, "assistance": AssistanceCase.opened_on}
HEADERS = {"case": "措施 · 送达/报到", "person": "性别 · 出生", "incident": "事件 · 日期", "talk": "谈话时间",
           "visit": "走访日期", "screening": "检测日期 · 结果", "counselling": "疏导日期", "assistance": "帮扶事项"}
SEALED = "（已封存）"
PERSONS = ("person", "case")  # a row per person: counted in 人, records in 条


def unit(what):
    """The word a drill-down's rows are counted in, on its screen and in its print."""
    return "人" if what in PERSONS else "条"


def sorting(what):
    """A drill-down sorts by the person (the default) or by its date column."""
    return Sorting({"person": ("人员", Person.name_pinyin), "date": (HEADERS[what], DATES[what])},
                   ("person", False), MODELS[what].id)


def rows(what, ids, args):
    """The records whose ids `ids` selects, each with its person, sorted as asked (at most PRINT_LIMIT)."""
    model = MODELS[what]
    query = model.select() if what == "person" else model.select(model, Person).join(
        Person, on=(model.person == Person.id))
    return sorting(what).order(query.where(model.id.in_(ids)), args).limit(PRINT_LIMIT)


def person_of(row):
    return row if isinstance(row, Person) else row.person


def name(row):
    person = person_of(row)
    return SEALED if person.sealed_at else person.name


def detail(what, r):
    """The record's column as the screen shows it, e.g. 社区康复 · 2026-03-02 / 未报到."""
    if what == "case":
        return "%s · %s / %s" % (r.measure_label, r.served_date, r.report_date or "未报到")
    if what == "person":
        return "%s · %s" % ("男" if r.sex == "M" else "女", r.birth_date.year)
    if what == "incident":
        return "%s · %s" % (INCIDENT_KINDS.get(r.kind, r.kind), r.occurred_on)
    if what == "talk":
        return r.held_at.strftime("%Y-%m-%d %H:%M")
    if what == "assistance":
        return "%s · %s · %s" % (r.opened_on, ASSISTANCE_CATEGORIES.get(r.category, r.category),
                                 ASSISTANCE_STATUSES.get(r.status, r.status))
    if what == "screening":
        return "%s · %s" % (r.tested_on, RESULTS.get(r.result, r.result))
    return str(r.visited_on if what == "visit" else r.held_on)


def export_spec(what, title):
    """The Excel layout of a drill-down: name, ID number (masked unless the lead asks) and the record's column;
    a sealed file is named as on screen and is not counted as a person exported."""
    return Export(title, ("姓名", "身份证号", HEADERS[what]), None,
                  lambda r, full, staff: (name(r), "" if person_of(r).sealed_at else (
                      person_of(r).id_number if full else mask(person_of(r).id_number)), detail(what, r)),
                  lambda r: None if person_of(r).sealed_at else person_of(r), "dashboard.drill")
