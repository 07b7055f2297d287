"""Cadences of the station's routine work and the drug-test plan behind the due-work queue.

Each rule lives here once, as a Python function for forms and as the same rule in SQL for the
queue; tests check that the two agree on hand-made dates (tests/tracking/test_plan.py, test_twins.py).
"""
from datetime import timedelta

from peewee import Case as SqlCase
from peewee import fn

from ..dates import add_months, sql_add_months
from ..models import Setting

# DOMAIN.md §4 [default] cadences in months; the lead may change them on the settings page.
CADENCES = {
    "talk": ("面对面谈话", 1),
    "visit": ("入户走访", 3),
    "visit_high": ("入户走访（高风险）", 1),
    "review_high": ("风险复评（高）", 1),
    "review_medium": ("风险复评（中）", 3),
    "review_low": ("风险复评（低）", 6),
}
TERM_WARNINGS = (30, 15, 7)  # days before the expected end of a term


# Drug-test schedules (DOMAIN.md §4 [default] presets): per phase, (until month of the term,
# months, days) between tests; the last phase runs to the end of the term.
SCREENING_PRESETS = {
    "A": ("方案A：第1年每月1次，第2年每2个月1次，第3年每3个月1次",
          ((12, 1, 0), (24, 2, 0), (None, 3, 0)), 0),
    "B": ("方案B：前6个月每月2次，至满1年每月1次，第2年每2个月1次，第3年每3个月1次，另随机检测不少于3次",
          ((6, 0, 15), (12, 1, 0), (24, 2, 0), (None, 3, 0)), 3),
}
HAIR_MONTHS = 6  # a hair test every six months (3 cm of hair near the root ≈ six months of use)
SCREENING_SETTINGS = {"screening.preset": "A", "screening.grace_days": "7"}


def screening_settings():
    """The station's test preset and the days of grace before a missed test becomes a candidate."""
    stored = {s.key: s.value for s in Setting.select().where(Setting.key.in_(list(SCREENING_SETTINGS)))}
    values = {**SCREENING_SETTINGS, **stored}
    preset = values["screening.preset"] if values["screening.preset"] in SCREENING_PRESETS else "A"
    return preset, int(values["screening.grace_days"])


def next_screening(report_date, last, preset):
    """The next scheduled test: on reporting, then at the interval of the phase the last test fell in."""
    if last is None or last < report_date:
        return report_date
    for until, months, days in SCREENING_PRESETS[preset][1]:
        if until is None or last < add_months(report_date, until):
            return add_months(last, months) + timedelta(days=days)


def next_hair(report_date, last_hair):
    """The next hair test: on reporting, then every HAIR_MONTHS (the queue's SQL does the same)."""
    return add_months(last_hair, HAIR_MONTHS) if last_hair and last_hair >= report_date else report_date


def sql_next_hair(report_col, last_hair_col):
    """next_hair() in SQL for the queue (its tests are those of the case, all after reporting)."""
    return fn.COALESCE(sql_add_months(last_hair_col, HAIR_MONTHS), report_col)


def overdue_beyond_grace(due, day, grace):
    """A scheduled test still missing `grace` days after it was due: a candidate 逃避检测."""
    return (day - due).days > grace


def sql_overdue_beyond_grace(due_col, day, grace):
    """overdue_beyond_grace() in SQL, for the queue."""
    return due_col < (day - timedelta(days=grace)).isoformat()


def sql_next_screening(report_col, last_col, preset_col):
    """next_screening() in SQL, for the queue and the station lists."""
    per_preset = []
    for key, (_, phases, _) in SCREENING_PRESETS.items():
        steps = [((last_col < sql_add_months(report_col, until)) if until else None,
                  fn.date(sql_add_months(last_col, months), "+%d days" % days)) for until, months, days in phases]
        default = steps.pop()[1]
        per_preset.append((key, SqlCase(None, steps, default)))
    scheduled = SqlCase(preset_col, per_preset)
    return SqlCase(None, [(last_col.is_null() | (last_col < report_col), report_col)], scheduled)


def cadences():
    """Months per kind of work: the station's settings over the defaults."""
    stored = {s.key[len("cadence."):]: s.value for s in Setting.select().where(Setting.key.startswith("cadence."))}
    return {key: int(stored.get(key, default)) for key, (_, default) in CADENCES.items()}




