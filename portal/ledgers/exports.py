"""Excel exports of the station's lists in ledger layouts (台账), with Chinese headers.

Only the lead and officers export (SECURITY.md role table), always with a stated reason.
Each export uses the same filters and scope as the list on screen (the list's own
`list_query()`), masks ID numbers and phones unless the lead asks for full numbers with a
reason, leaves out minors (under 18, minors.py; D7), neutralises formulas (W10, in sheets.py) and is
audited once as a whole and once per person it names.
"""
from collections import namedtuple
from datetime import date

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from peewee import fn
from wtforms import BooleanField

from .. import audit, idcard
from ..persons import minors
from ..care import assistance
from ..cases import lifecycle
from ..dates import today
from ..db import database
from ..fields import ReasonForm
from ..models import (ASSESSMENTS, ASSISTANCE_CATEGORIES, ASSISTANCE_STATUSES, ATTENDANCE, AUDIENCE_GROUPS,
                      CASE_STATUSES, EVENT_FORMATS, MEASURES, RESULTS, SAMPLES, SCREENING_KINDS, SEXES, TALK_KINDS,
                      TALK_PLACES, TRAINEE_TYPES, VENUE_TYPES, VISIT_ANOMALIES, Attendance, Person, PreventionEvent,
                      Trainee, TrainingSession, User)
from ..permissions import can, requires
from ..persons import views as persons
from ..records import talks, visits
from ..tracking import screenings
from . import sheets

bp = Blueprint("exports", __name__, url_prefix="/exports")
Export = namedtuple("Export", "title headers list_query row person endpoint")
FILTER_LABELS = {"q": "查找", "measure": "措施", "status": "状态", "worker": "专干", "staff": "工作人员",
                 "start": "起", "end": "止", "result": "结果", "sample": "样本", "assessment": "评估", "place": "地点",
                 "anomaly": "异常情况", "category": "类别", "year": "年份",
                 "period": "统计期", "indicator": "指标", "part": "明细"}
CODE_LABELS = {**persons.STATUS_FILTERS, **MEASURES, **RESULTS, **SAMPLES, **ASSESSMENTS, **TALK_PLACES,
               **VISIT_ANOMALIES, **ASSISTANCE_CATEGORIES, **ASSISTANCE_STATUSES}


class ExportForm(ReasonForm):
    unmasked = BooleanField("导出完整身份证号和电话（仅站长，用于移交或导入其他系统）")


def joined(labels):
    return "、".join(labels)


def yes(value):
    return "是" if value else "否"


def phone(value, full):
    if not value or full:
        return value or ""
    return value[:3] + "****" + value[-4:] if len(value) >= 11 else value[:2] + "****"


def persons_list_query(args):
    """The person list's filters and rows (every page of it), sorted as on screen; sealed files are never exported."""
    filters = persons.list_filters(args)
    return filters, persons.SORTS.order(persons.filtered(filters).where(Person.sealed_at.is_null()), args)


def year_of(model, args):
    year = args.get("year", type=int) or today().year
    return year, model.select(model.id).where(model.is_live(), fn.strftime("%Y", model.held_on) == str(year))


def attendance_list_query(args):
    """Every attendance row of the year's training sessions, by date and name."""
    year, sessions = year_of(TrainingSession, args)
    return {"year": year}, (Attendance.select(Attendance, TrainingSession, Trainee)
                            .join_from(Attendance, TrainingSession).join_from(Attendance, Trainee)
                            .where(TrainingSession.id.in_(sessions)).order_by(TrainingSession.held_on, Trainee.name))


def events_list_query(args):
    year, events = year_of(PreventionEvent, args)
    return {"year": year}, PreventionEvent.select().where(PreventionEvent.id.in_(events)).order_by(PreventionEvent.held_on)


def person_row(p, full, staff):
    case = p.case
    end = lifecycle.expected_end(case) if case and case.id else None
    return (p.name, SEXES[p.sex], p.birth_date, p.id_number if full else idcard.mask(p.id_number), p.ethnicity,
            phone(p.phone, full), p.household_address or "", p.residence_address or "", p.employment or "",
            p.drug_type or "") + ((MEASURES[case.measure], CASE_STATUSES[case.status], case.decision_number,
                                   case.decision_date, case.served_date, case.report_date, case.term_months, case.street,
                                   staff.get(case.worker_id, ""), staff.get(case.officer_id, ""), end)
                                  if case and case.id else ("",) * 11)


def who(entry, full):
    return (entry.person.name, entry.person.id_number if full else idcard.mask(entry.person.id_number))


EXPORTS = {
    "persons": Export(
        "两社人员台账",
        ("姓名", "性别", "出生日期", "身份证号", "民族", "联系电话", "户籍地址", "现住址", "就业情况", "滥用毒品种类",
         "措施类型", "状态", "决定书文号", "决定日期", "送达日期", "报到日期", "期限（月）", "执行地街道/乡镇",
         "责任专干", "责任民警", "预计期满日期"),
        persons_list_query, person_row, lambda p: p, "persons.index"),
    "screenings": Export(
        "检测台账",
        ("姓名", "身份证号", "检测日期", "样本", "检测方式", "检测项目", "检测结果", "阳性种类", "检测人员", "派出所",
         "随机抽检", "本人签字", "备注", "解除后随访"),
        screenings.list_query,
        lambda s, full, staff: who(s, full) + (
            s.tested_on, SAMPLES[s.sample], SCREENING_KINDS[s.kind], joined(s.panel_labels), RESULTS[s.result],
            joined(s.positive_labels), s.collectors, s.police_station or "", yes(s.random), yes(s.signed),
            s.notes or "", yes(s.follow_up)),
        lambda s: s.person, "screenings.index"),
    "talks": Export(
        "面对面谈话台账",
        ("姓名", "身份证号", "谈话时间", "地点", "类型", "谈话人", "参与人", "谈话内容", "风险因素", "评估", "措施",
         "下次谈话"),
        talks.list_query,
        lambda t, full, staff: who(t, full) + (
            t.held_at.strftime("%Y-%m-%d %H:%M"), TALK_PLACES[t.place], TALK_KINDS[t.kind], staff.get(t.staff_id, ""),
            t.participants or "", joined(t.topic_labels), t.risk_factors or "", ASSESSMENTS[t.assessment],
            t.actions or "", t.next_date),
        lambda t: t.person, "talks.index"),
    "visits": Export(
        "家访台账",
        ("姓名", "身份证号", "走访日期", "走访人员", "走访地址", "本人在家", "见到家属", "核实居住", "核实就业", "异常情况",
         "处置措施", "下次走访"),
        visits.list_query,
        lambda v, full, staff: who(v, full) + (
            v.visited_on, v.visitors, v.address, yes(v.found_at_home), v.family_met or "", yes(v.living_verified),
            yes(v.employment_verified), joined(v.anomaly_labels), v.actions or "", v.next_date),
        lambda v: v.person, "visits.index"),
    "assistance": Export(
        "帮扶救助台账",
        ("姓名", "身份证号", "类别", "事项", "协作单位", "状态", "开始日期", "办结日期", "金额（元）", "结果"),
        assistance.list_query,
        lambda a, full, staff: who(a, full) + (
            ASSISTANCE_CATEGORIES[a.category], a.title, joined(a.partner_labels), ASSISTANCE_STATUSES[a.status],
            a.opened_on, a.closed_on, a.amount, a.outcome or ""),
        lambda a: a.person, "assistance.index"),
    "attendance": Export(
        "培训签到台账",
        ("培训日期", "培训主题", "对象", "授课人", "学时", "地点", "姓名", "人员类型", "单位", "出勤"),
        attendance_list_query,
        lambda a, full, staff: (a.session.held_on, a.session.title, TRAINEE_TYPES[a.session.audience],
                                a.session.trainer, a.session.hours, a.session.venue, a.trainee.name,
                                TRAINEE_TYPES[a.trainee.kind], a.trainee.unit or "", ATTENDANCE[a.status]),
        None, "training.index"),
    "events": Export(
        "禁毒宣传活动台账",
        ("日期", "主题", "“六进”类型", "地点/单位", "协作单位", "形式", "受众合计")
        + tuple("受众：" + label for label in AUDIENCE_GROUPS.values()) + ("发放资料（份）", "现场咨询（人次）"),
        events_list_query,
        lambda e, full, staff: (e.held_on, e.title, VENUE_TYPES[e.venue_type], e.venue, e.partners or "",
                                EVENT_FORMATS[e.format], e.audience_total)
        + tuple(e.audience_counts.get(k, 0) for k in AUDIENCE_GROUPS) + (e.leaflets, e.consultations),
        None, "events.index"),
}


def load(kind):
    return EXPORTS.get(kind) or abort(404)


def described(filters):
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v}


def filter_text(filters):
    """The filters as the station reads them, e.g. 状态：在管（待报到/执行中/中止）；专干：陈丽."""
    names = User.names()
    shown = []
    for key, value in described(filters).items():
        if key == "q" and idcard.FULL_ID.fullmatch(str(value)):
            value = idcard.mask(value)
        elif key in ("worker", "staff"):
            value = names.get(value, value)
        shown.append("%s：%s" % (FILTER_LABELS.get(key, key), CODE_LABELS.get(value, value)))
    return "；".join(shown) or "无（全部）"


@bp.route("/<kind>", methods=["GET", "POST"])
@requires("lists.export")
def export(kind):
    """Ask for the reason (and, for the lead, whether to show full numbers), then send the .xlsx."""
    spec = load(kind)
    filters, query = spec.list_query(request.args)
    return answer(spec, kind, filters, query, back=url_for(spec.endpoint, **request.args.to_dict()))


def answer(spec, kind, filters, query, back):
    """The export's reason form, or the .xlsx of `query` audited as a whole and per person; the dashboard's
    drill-downs export through here too. `back` is the list (with its filters and sort) to return to."""
    form = ExportForm()
    if not can(current_user, "lists.export_full") or spec.person is None:  # full numbers: lists of persons only
        del form.unmasked
    if not form.validate_on_submit():
        return render_template("exports/form.html", spec=spec, form=form, filters=filter_text(filters),
                               count=query.count(), back=back), 422 if form.errors else 200
    full = bool(form.unmasked.data) if "unmasked" in form else False
    staff = User.names()
    person_of = spec.person or (lambda item: None)
    items, left_out = minors.leave_out(query, person_of)
    rows = [spec.row(item, full, staff) for item in items]
    named = {person_of(item).id for item in items if person_of(item) is not None}
    note = "%s 由%s（%s）导出，事由：%s；筛选：%s" % (today().isoformat(), current_user.display_name,
                                             current_user.role_label, form.reason.data, filter_text(filters))
    if spec.person:
        note += "；" + ("含完整身份证号和电话，注意保密" if full else "身份证号、电话已部分隐藏")
    if left_out:
        note += "；未满 %d 周岁人员 %d 人次未导出" % (minors.MINOR_AGE, left_out)
    data = sheets.workbook(spec.title, spec.headers, rows, note=note)
    with database.atomic():  # no audit row, no file: security.py answers 503
        entry = audit.record("list.export", object_type=kind, reason=form.reason.data, detail={
            **described(filters), "rows": len(rows), "unmasked": full, "minors_left_out": left_out})
        with audit.batch():
            for person_id in sorted(named):
                audit.record("person.export", object_type="person", object_id=person_id,
                             detail={"export": entry.id, "kind": kind})
    return sheets.send(data, "%s-%s.xlsx" % (spec.title, today().strftime("%Y%m%d")))
