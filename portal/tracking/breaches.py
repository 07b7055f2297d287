"""Breaches of the community detox/rehab agreement (戒毒条例 19-21), in one place.

- an absence of 3 days or more needs a written report beforehand (19);
- a serious breach (严重违反) is 3 or more refused/evaded tests, or 3 or more unauthorised
  absences, or such absences totalling more than 30 days (20: "以上" includes 3, "超过" excludes 30);
- a serious breach and a relapse (positive test) are reported to the police promptly (21).

Only what happens while the measure runs counts ("在社区戒毒期间", 20): a refusal or an absence
dated outside the case's running time (before the report, during a 中止, after the end) counts for
nothing, and an absence's days stop at a suspension or the end (cases/running_time.py).
Counters are computed from the screenings and absences themselves, in SQL, for one case or for
every case at once; `follow_through` runs after each saved screening or absence.
"""

from peewee import Select, Value, fn

from .. import audit
from ..cases import running_time
from ..dates import today
from ..db import database
from ..models import MISSED_RESULTS, Absence, Breach, Case, Incident, Screening
from ..persons import sealing
from ..prepared import first_row, prepared
from ..records import risk_levels

WRITTEN_REPORT_DAYS = 3  # 19: leaving the county for 3 days or more
SERIOUS_MISSED = 3  # 20: refused or evaded tests, 3 times or more
SERIOUS_ABSENCES = 3  # 20: unauthorised absences, 3 times or more
SERIOUS_DAYS = 31  # 20: unauthorised absences totalling more than 30 days
FOLLOW_UP_POSITIVE = ("随访检测阳性：已记为复吸证据（计入操守保持情况，解除动态管控的三年重新计算）；"
                      "措施已结束，不计为原案件的违反协议。")


def absence_days(leave_on, return_on, day=None):
    """Calendar days away, both ends included; an absence not yet ended counts up to `day`."""
    return ((return_on or day or today()) - leave_on).days + 1


def needs_written_report(leave_on, return_on):
    return return_on is not None and absence_days(leave_on, return_on) >= WRITTEN_REPORT_DAYS


def is_serious(missed, absences, days):
    return missed >= SERIOUS_MISSED or absences >= SERIOUS_ABSENCES or days >= SERIOUS_DAYS


def sql_is_serious(missed, absences, days):
    return (missed >= SERIOUS_MISSED) | (absences >= SERIOUS_ABSENCES) | (days >= SERIOUS_DAYS)


def counters(day=None, case_id=None):
    """Per case with any breach: refused/evaded tests, unauthorised absences and their days, and
    whether that is a serious breach (a case not listed has none). One query that reads only the
    breaching rows (through their indexes), for every case or for the one case given."""
    return _counters((day or today()).isoformat(), case_id)


def _counters(day, case_id=None):
    """counters() on `day` given as its ISO text, which goes into the query as it is (prepared below)."""
    missed = (Screening.select(Screening.case.alias("case_id"), Value(1).alias("missed"), Value(0).alias("away"),
                               Value(0).alias("days"))
              .join(Case, on=(Screening.case == Case.id))
              .where(Screening.result.in_(MISSED_RESULTS), Screening.is_live(),
                     running_time.sql_ran_on(Case.id, Case.report_date, Screening.tested_on)))
    back = fn.COALESCE(Absence.return_on, day)
    away = (Absence.select(Absence.case.alias("case_id"), Value(0), Value(1),
                           running_time.sql_running_days(Case.id, Case.report_date, Absence.leave_on, back))
            .join(Case, on=(Absence.case == Case.id))
            .where(Absence.kind == "unauthorised", Absence.is_live(),
                   running_time.sql_ran_on(Case.id, Case.report_date, Absence.leave_on)))
    if case_id is not None:
        missed, away = missed.where(Screening.case == case_id), away.where(Absence.case == case_id)
    rows = (missed + away).alias("b")  # UNION ALL
    n_missed, n_away, n_days = fn.SUM(rows.c.missed), fn.SUM(rows.c.away), fn.SUM(rows.c.days).cast("INTEGER")
    return (Select([rows], [rows.c.case_id, n_missed.alias("missed"), n_away.alias("absences"),
                            n_days.alias("absent_days"), sql_is_serious(n_missed, n_away, n_days).alias("serious")])
            .group_by(rows.c.case_id).bind(database))


def counters_of(case_id, day=None):
    row = first_row(_case_counters(case_id, (day or today()).isoformat()))
    if row is None:
        return {"case_id": case_id, "missed": 0, "absences": 0, "absent_days": 0, "serious": False}
    return {**row, "serious": bool(row["serious"])}


@prepared
def _case_counters(case_id, day):
    return _counters(day, case_id)


def crossing_date(case_id, day=None):
    """The date the case's records first reached a serious breach, whatever order they were
    entered in (a refusal typed in late does not move the breach to its own date)."""
    day = day or today()
    spans = running_time.running_spans(Case.get_by_id(case_id))
    events = [(on, True, None) for on in Screening.select(Screening.tested_on).where(
        Screening.case == case_id, Screening.result.in_(MISSED_RESULTS), Screening.is_live()).scalars()
        if running_time.ran_on(spans, on)]
    events += [(a.leave_on, False, a.return_on or day) for a in Absence.select().where(
        Absence.case == case_id, Absence.kind == "unauthorised", Absence.is_live())
        if running_time.ran_on(spans, a.leave_on)]
    missed = away = days = 0
    crossings = []  # a long absence can pass 30 days after a later refusal made the third
    for on, is_test, back in sorted(events):
        missed, away = missed + is_test, away + (not is_test)
        if is_serious(missed, away, 0):
            crossings.append(on)
            break  # later events can only cross later
        if is_test:
            continue
        length = running_time.running_days(spans, on, back)
        if days < SERIOUS_DAYS <= days + length:  # the running day on which the total passed 30
            crossings.append(running_time.nth_running_day(spans, on, back, SERIOUS_DAYS - days))
        days += length
    return min(crossings) if crossings else None


def sql_serious_case(case_column):
    """SQL: the case in `case_column` has a serious-breach incident (what lists flag as 严重违反)."""
    return fn.EXISTS(Incident.select(Incident.id).where(Incident.case == case_column,
                                                       Incident.kind == "serious_breach"))


def open_incident(case, kind, on, user, screening=None, detail=None):
    incident = Incident.create(person=case.person_id, case=case.id, kind=kind, occurred_on=on,
                               screening=screening, detail=detail)
    audit.record("incident.create", incident, person=case.person_id, user=user, detail={"kind": kind})
    return incident


def ordinary_breach(case, kind, on, user, **source):
    """The breach row whose 批评教育 is still to be recorded, once per source record; True when new."""
    link = next(iter(source.items()), None)
    if link and Breach.select().where(getattr(Breach, link[0]) == link[1].id).exists():
        return False
    breach = Breach.create(person=case.person_id, case=case.id, kind=kind, occurred_on=on, staff=user, **source)
    audit.record("breach.create", breach, person=case.person_id, user=user, detail={"kind": kind})
    return True


def open_serious(case, user, on, counts):
    """The serious-breach incident of a case, once, dated when the threshold was crossed, with the
    forced-high risk; returns the message for the user (None when it already existed)."""
    if Incident.select().where(Incident.case == case.id, Incident.kind == "serious_breach").exists():
        return None
    crossed = crossing_date(case.id) or on
    open_incident(case, "serious_breach", crossed, user, detail=describe(counts))
    risk_levels.force_high(case.person_id, "serious_breach", user=user, on=max(crossed, on))
    return "已达到严重违反协议标准（%s）：风险已调为高，请及时报告公安机关并记录。" % describe(counts)


def sweep(day=None):
    """Open the serious-breach incidents that time alone has caused (an unauthorised absence still
    running past 30 days), as the station's own system user; returns how many were opened.

    Run by `flask --app portal sweep` at start-up and daily (a systemd timer): pages only read."""
    day = day or today()
    reached = [row["case_id"] for row in counters(day).dicts() if row["serious"]]
    if not reached:
        return 0
    missing = list(Case.select().where(Case.id.in_(reached), ~fn.EXISTS(Incident.select(Incident.id).where(
        Incident.case == Case.id, Incident.kind == "serious_breach"))))
    for case in missing:
        with database.atomic():
            open_serious(case, None, day, counters_of(case.id, day))
    return len(missing)


def follow_through(record, user):
    """After a screening or absence is saved: open the breach, incident and forced-high risk that
    the law asks for, once each; returns the messages the user must see. A follow-up test after the
    measure (随访检测, no case) opens nothing: a positive one is relapse evidence, counted by person
    (it unseals a sealed file, like any relapse evidence)."""
    if isinstance(record, Screening) and record.result == "positive":
        sealing.unseal(record.person_id, "检测结果阳性（复吸证据）", user)
    if record.case_id is None:
        return [FOLLOW_UP_POSITIVE] if record.result == "positive" else []
    case = Case.get_by_id(record.case_id)
    messages = []
    on = record.tested_on if isinstance(record, Screening) else record.leave_on
    if not (isinstance(record, Screening) and record.result == "positive") and \
            not running_time.ran_on(running_time.running_spans(case), on):
        return messages  # not "在社区戒毒期间" (20): outside the measure's running time it counts for nothing
    if isinstance(record, Screening):
        if record.result == "positive" and not Incident.select().where(Incident.screening == record.id).exists():
            open_incident(case, "relapse", on, user, screening=record, detail="检测结果阳性")
            risk_levels.force_high(case.person_id, "positive_screening", user=user, on=on)
            messages.append("检测结果阳性：已登记复吸事件并将风险调为高，请及时向公安机关报告并记录。")
        elif record.result == "refused":
            if ordinary_breach(case, "refusal", on, user, screening=record):  # a correction does not re-force
                risk_levels.force_high(case.person_id, "refusal", user=user, on=on)
            messages.append("拒绝检测：已计入违反协议次数并将风险调为高，请记录批评教育情况。")
        elif record.result == "evaded":
            ordinary_breach(case, "evasion", on, user, screening=record)
            messages.append("逃避检测：已计入违反协议次数，请记录批评教育情况。")
    elif record.kind == "unauthorised":
        ordinary_breach(case, "absence", on, user, absence=record)
        messages.append("擅自外出：已计入违反协议次数，请记录批评教育情况。")
    else:
        return messages
    counts = counters_of(case.id)
    if counts["serious"]:
        message = open_serious(case, user, on, counts)
        if message:
            messages.insert(0, message)
    return messages


def describe(counts):
    """The counters in words, naming the thresholds reached."""
    parts = ["拒绝/逃避检测 %d 次" % counts["missed"], "擅自外出 %d 次" % counts["absences"],
             "累计 %d 日" % counts["absent_days"]]
    return "，".join(parts)
