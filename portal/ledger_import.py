"""Importing the station's Excel ledgers: a dry run that plans every row, then an
all-or-nothing commit of that plan.

Each ledger kind names its columns (with the header texts real ledgers use), turns a row
into the values of the portal's own forms, so the rules are the screens' rules, and
decides per row: create, update, skip or error. Keys: persons by ID number (with their
case by decision number), screenings by person + date + sample, trainees by name + phone.
"""
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from openpyxl.utils import get_column_letter
from peewee import IntegrityError, fn
from werkzeug.datastructures import MultiDict

from . import audit, breaches, idcard, lifecycle, sheets
from .clock import today
from .db import database
from .models import (ACTIVE_STATUSES, MEASURES, RESULTS, SAMPLES, SCREENING_KINDS, TRAINEE_TYPES, Case, Person,
                     Screening, Trainee, User)
from .person_forms import COMMUNITY_DETOX_MONTHS, DRUG_TYPES, ETHNICITIES, CaseForm, PersonForm, clean_text
from .versioning import revise


@dataclass
class RowPlan:
    row: int
    action: str = "create"  # create | update | skip | error
    who: str = ""
    notes: list = field(default_factory=list)  # what changes, or why a row is skipped
    errors: list = field(default_factory=list)  # (column, reason)
    payload: dict = field(default_factory=dict)

    def error(self, column, reason):
        self.errors.append((column, reason))
        self.action = "error"


@dataclass
class Plan:
    kind: str
    rows: list
    header_row: int
    columns: dict  # key -> "C 列（身份证号）"

    @property
    def counts(self):
        counts = {"create": 0, "update": 0, "skip": 0, "error": 0}
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def ok(self):
        return bool(self.rows) and not self.counts["error"]

    def dumps(self):
        """The plan as JSON (dates tagged), kept beside the upload for the commit."""
        return json.dumps({"kind": self.kind, "header_row": self.header_row, "columns": self.columns,
                           "rows": [vars(row) for row in self.rows]}, ensure_ascii=False,
                          default=lambda d: {"$date": d.isoformat()})

    @classmethod
    def loads(cls, text):
        data = json.loads(text, object_hook=lambda o: date.fromisoformat(o["$date"]) if set(o) == {"$date"} else o)
        return cls(kind=data["kind"], header_row=data["header_row"], columns=data["columns"],
                   rows=[RowPlan(**row) for row in data["rows"]])


def choice(raw, options, synonyms=None):
    """The key of `options` (key -> Chinese label) a ledger text means, or None."""
    if raw is None:
        return None
    for key, label in options.items():
        if raw in (key, label):
            return key
    return (synonyms or {}).get(raw)


def staff_by_name(roles):
    """Accounts that may be named in a ledger column, by display name and by username."""
    found = {}
    for user in User.select().where(User.role.in_(roles)):
        found.setdefault(user.display_name, user.id)
        found[user.username] = user.id
    return found


class Ledger:
    """One kind of ledger: its columns, template, row planning and commit."""

    key = title = ""
    columns = {}  # key -> header texts; the first is the template's header
    required = ()
    example = ()  # one example row for the template
    reads = ()  # the models a plan is made against (see state())

    def state(self):
        """A fingerprint of what the plan was checked against: rows added, changed (every change
        bumps a version), removed, and the staff's names. Equal fingerprints let the commit apply
        the dry run's plan without reading the file again."""
        parts = []
        for model in self.reads + (User,):
            columns = [fn.COUNT(model.id), fn.MAX(model.id)]
            if "version" in model._meta.fields:
                columns.append(fn.TOTAL(model.version))
            parts.append(list(model.select(*columns).tuples()[0]))
        parts.append(sorted(User.select(User.id, User.display_name, User.role, User.is_active).tuples()))
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()

    def read(self, data):
        """The plan of every row of the first sheet in `data` (bytes of an .xlsx)."""
        book = sheets.open_workbook(data)
        header, index, body = sheets.rows_of(book.worksheets[0], self.columns)
        missing = [self.columns[key][0] for key in self.required if key not in index]
        if missing:
            raise sheets.SheetError("表头缺少必填列：%s（见导入模板）。" % "、".join(missing))
        labels = {key: "%s 列（%s）" % (get_column_letter(i + 1), self.columns[key][0]) for key, i in index.items()}
        for key in self.columns:
            labels.setdefault(key, self.columns[key][0])
        context = self.context()
        rows = []
        for number, values in body:
            cells = {key: values[i] if i < len(values) else None for key, i in index.items()}
            plan = RowPlan(row=number)
            self.plan_row(plan, cells, labels, context)
            rows.append(plan)
        return Plan(kind=self.key, rows=rows, header_row=header, columns=labels)

    def context(self):
        return {"seen": {}}

    def seen_before(self, plan, key, cells, context):
        """A repeated key in the same file: skip an identical row, refuse a different one."""
        snapshot = json.dumps(cells, sort_keys=True, default=str)
        earlier = context["seen"].get(key)
        if earlier is None:
            context["seen"][key] = (plan.row, snapshot)
            return False
        row, first = earlier
        if first == snapshot:
            plan.action = "skip"
            plan.notes.append("与第 %d 行完全相同，已跳过" % row)
        else:
            plan.error("", "与第 %d 行是同一条记录但内容不同，请保留正确的一行" % row)
        return True

    def template(self):
        note = "带 * 的列必填；日期可写 2023-05-06、2023.5.6 或 2023年5月6日；空白单元格不会覆盖已有内容"
        headers = [self.columns[k][0] + (" *" if k in self.required else "") for k in self.columns]
        return sheets.workbook(self.title + "导入模板", headers, [self.example], note=note)


def form_errors(plan, form, labels):
    """The form's errors as row errors, except for a column whose cell could not be read at all."""
    unreadable = {column for column, _ in plan.errors}
    for key, messages in form.errors.items():
        if labels.get(key, key) not in unreadable:
            for message in messages:
                plan.error(labels.get(key, key), message)


def dated(plan, cells, labels, keys):
    """Date cells as ISO text for the forms; unreadable ones become row errors."""
    out = {}
    for key in keys:
        try:
            value = sheets.day(cells.get(key))
        except ValueError as exc:
            plan.error(labels[key], str(exc))
            value = None
        out[key] = value.isoformat() if value else ""
    return out


# --- persons and their cases -------------------------------------------------------

MEASURE_SYNONYMS = {"社戒": "community_detox", "社区戒毒人员": "community_detox", "社康": "community_rehab",
                    "社区康复人员": "community_rehab"}
DRUG_SYNONYMS = {"冰毒": "冰毒（甲基苯丙胺）", "甲基苯丙胺": "冰毒（甲基苯丙胺）", "K粉": "氯胺酮（K粉）",
                 "氯胺酮": "氯胺酮（K粉）", "k粉": "氯胺酮（K粉）"}
PERSON_FIELDS = ("name", "ethnicity", "phone", "household_address", "residence_address", "employment", "drug_type")
CASE_FIELDS = ("measure", "decision_number", "decision_date", "served_date", "term_months", "street", "worker",
               "officer")


class PersonLedger(Ledger):
    key, title = "persons", "两社人员及案件"
    reads = (Person, Case)
    columns = {
        "name": ("姓名",),
        "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证"),
        "ethnicity": ("民族",),
        "phone": ("联系电话", "电话", "手机", "手机号", "手机号码"),
        "household_address": ("户籍地址", "户籍地", "户籍所在地"),
        "residence_address": ("现住址", "现居住地", "居住地址", "现住地址"),
        "employment": ("就业情况", "工作单位", "职业"),
        "drug_type": ("滥用毒品种类", "吸食毒品种类", "毒品种类"),
        "measure": ("措施类型", "人员类别", "类别"),
        "decision_number": ("决定书文号", "决定书编号", "决定文书号"),
        "decision_date": ("决定日期", "决定书日期"),
        "served_date": ("送达日期", "决定送达日期"),
        "report_date": ("报到日期",),
        "term_months": ("期限（月）", "期限(月)", "期限"),
        "street": ("执行地街道/乡镇", "执行地街道", "执行地", "所属街道", "街道"),
        "worker": ("责任专干", "专干"),
        "officer": ("责任民警", "民警"),
    }
    required = ("name", "id_number", "measure", "decision_number", "decision_date", "served_date", "street")
    example = ("张某某", "520102199003151234", "汉族", "13812345678", "贵州省贵阳市南明区新华路 1 号",
               "贵阳市南明区花果园 2 栋", "个体经营", "冰毒（甲基苯丙胺）", "社区戒毒",
               "筑南公（禁）社戒决字〔2024〕15号", "2024-03-01", "2024-03-05", "2024-03-12", 36, "新华路街道",
               "王专干", "李民警")

    def context(self):
        """What every row is checked against, read once: staff, persons by ID number, current cases."""
        persons = {p.id_number: p for p in Person.select()}
        namesakes = {}
        for person in persons.values():
            if person.deleted_at is None:
                namesakes.setdefault((person.name, person.birth_date), []).append(person)
        return {"seen": {}, "workers": staff_by_name(("worker",)), "officers": staff_by_name(("officer", "lead")),
                "staff": [list(User.select().where(User.role.in_(roles))) for roles in (
                    ("officer", "lead"), ("worker",), ("counsellor",))],
                "persons": persons, "namesakes": namesakes,
                "cases": {c.person_id: c for c in Case.select().where(Case.deleted_at.is_null(), Case.is_current())}}

    def plan_row(self, plan, cells, labels, context):
        text = {key: sheets.text(value) for key, value in cells.items()}
        plan.who = "%s %s" % (text.get("name") or "（无姓名）", idcard.mask(idcard.normalize(text.get("id_number"))))
        data = {key: text.get(key) or "" for key in PERSON_FIELDS}
        data["id_number"] = text.get("id_number") or ""
        data["ethnicity"] = self.ethnicity(plan, text.get("ethnicity"), labels)
        data["drug_type"] = self.drug(plan, text.get("drug_type"), labels)
        measure = choice(text.get("measure"), MEASURES, MEASURE_SYNONYMS)
        if not text.get("measure"):
            plan.error(labels["measure"], "请填写措施类型（社区戒毒或社区康复）")
        elif measure is None:
            plan.error(labels["measure"], "措施类型应为“社区戒毒”或“社区康复”")
        case = {"measure": measure or "", "decision_number": text.get("decision_number") or "",
                "street": text.get("street") or "", "credited_days": "0",
                "screening_preset": "", "counsellor": "0"}
        case.update(dated(plan, cells, labels, ("decision_date", "served_date", "report_date")))
        try:
            term = sheets.integer(cells.get("term_months"))
        except ValueError as exc:
            plan.error(labels["term_months"], str(exc))
            term = None
        case["term_months"] = str(term or (COMMUNITY_DETOX_MONTHS if measure == "community_detox" else ""))
        for key, pool in (("worker", "workers"), ("officer", "officers")):
            name = text.get(key)
            case[key] = str(context[pool].get(name, 0)) if name else "0"
            if name and name not in context[pool]:
                plan.error(labels[key], "系统中没有名为“%s”的%s账户" % (name, "专干" if key == "worker" else "民警"))
        person_form = PersonForm(formdata=MultiDict(data), meta={"csrf": False})
        case_form = CaseForm(formdata=MultiDict(case), meta={"csrf": False})
        case_form.set_staff(*context["staff"])
        if not person_form.validate():
            form_errors(plan, person_form, labels)
        if not case_form.validate():
            form_errors(plan, case_form, labels)
        if plan.action == "error":
            return
        values = person_form.values()
        case_values = case_form.values()
        plan.who = "%s %s" % (values["name"], idcard.mask(values["id_number"]))
        if self.seen_before(plan, values["id_number"], (values, case_values), context):
            return
        self.match(plan, values, case_values, text, labels, context)

    @staticmethod
    def ethnicity(plan, raw, labels):
        if not raw:
            return "汉族"
        for candidate in (raw, raw + "族"):
            if candidate in ETHNICITIES:
                return candidate
        return "其他"

    @staticmethod
    def drug(plan, raw, labels):
        if not raw:
            return ""
        if raw in DRUG_TYPES:
            return raw
        mapped = DRUG_SYNONYMS.get(raw) or next((d for d in DRUG_TYPES if d and d.startswith(raw)), None)
        if mapped is None:
            plan.error(labels["drug_type"], "毒品种类“%s”不在可选范围内（%s）" % (raw, "、".join(d for d in DRUG_TYPES if d)))
        return mapped or ""

    def match(self, plan, values, case_values, text, labels, context):
        """Create, update or skip against the person with this ID number and their current case."""
        given = {k for k, v in text.items() if v}  # a blank cell never erases what is stored
        person = context["persons"].get(values["id_number"])
        report_date = case_values.pop("report_date")
        plan.payload = {"person": values, "case": case_values, "report_date": report_date}
        if person is None:
            plan.action = "create"
            plan.notes.append("新登记人员及案件" + ("，已报到" if report_date else "，待报到"))
            for other in context["namesakes"].get((values["name"], values["birth_date"]), ()):
                plan.notes.append("注意：已有同名、同出生日期的档案（%s），请核对是否为同一人" % idcard.mask(other.id_number))
            return
        if person.deleted_at is not None:
            plan.error(labels["id_number"], "该身份证号属于已删除的档案，请站长先在“已删除档案”中恢复")
            return
        plan.payload["person_id"] = person.id
        person_changes = {k: values[k] for k in PERSON_FIELDS if k in given and values[k] != getattr(person, k)}
        current = context["cases"].get(person.id)
        plan.payload["person_changes"] = person_changes
        if current is None or (current.decision_number != case_values["decision_number"]
                               and current.status not in ACTIVE_STATUSES):
            plan.action = "update"
            plan.payload["new_case"] = True
            plan.notes.append("已有人员，新增案件（决定书 %s）" % case_values["decision_number"])
        elif current.decision_number != case_values["decision_number"]:
            plan.error(labels["decision_number"], "该人员已有在管案件（决定书 %s），与表中决定书不同，请核对"
                       % current.decision_number)
            return
        else:
            case_changes = {k: case_values[k] for k in CASE_FIELDS
                            if k in given and case_values[k] != getattr(current, k + "_id" if k in ("worker", "officer") else k)}
            if report_date and current.report_date and report_date != current.report_date:
                case_changes["report_date"] = report_date
            plan.payload.update(case_id=current.id, case_changes=case_changes)
            plan.action = "update" if person_changes or case_changes else "skip"
        changed = [self.columns[k][0] for k in list(person_changes) + list(plan.payload.get("case_changes", {}))]
        if changed:
            plan.notes.append("更新：" + "、".join(changed))
        elif plan.action == "skip":
            plan.notes.append("与系统中的记录一致，无需导入")

    def apply(self, plan, user, batch):
        payload = plan.payload
        if plan.action == "create":
            person = Person.create(**payload["person"], **Person.search_keys(payload["person"]["name"]))
            audit.record("person.create", person, user=user, detail=batch)
            self.create_case(person, payload, user, batch)
            return
        person = Person.get_by_id(payload["person_id"])
        if payload["person_changes"]:
            changes = dict(payload["person_changes"])
            if "name" in changes:
                changes.update(Person.search_keys(changes["name"]))
            revise(person, changes, user)
            audit.record("person.update", person, user=user, detail={**batch, "fields": sorted(payload["person_changes"])})
        if payload.get("new_case"):
            self.create_case(person, payload, user, batch)
        elif payload.get("case_changes"):
            case = Case.get_by_id(payload["case_id"])
            revise(case, payload["case_changes"], user)
            audit.record("case.update", case, person=person, user=user,
                         detail={**batch, "fields": sorted(payload["case_changes"])})

    @staticmethod
    def create_case(person, payload, user, batch):
        lifecycle.open_case(person, payload["case"], payload["report_date"], user=user, detail=batch)


# --- screenings -------------------------------------------------------------------

RESULT_SYNONYMS = {"阴": "negative", "(-)": "negative", "-": "negative", "阳": "positive", "(+)": "positive",
                   "+": "positive", "拒检": "refused", "拒绝检测": "refused", "逃避检测": "evaded"}
SAMPLE_SYNONYMS = {"尿检": "urine", "尿": "urine", "毛发检测": "hair", "毛发": "hair", "血检": "blood", "血": "blood"}
KIND_SYNONYMS = {"现场": "onsite", "实验室": "lab"}


class ScreeningLedger(Ledger):
    key, title = "screenings", "检测记录"
    reads = (Person, Case, Screening)
    columns = {
        "id_number": ("身份证号", "身份证号码", "公民身份号码"),
        "name": ("姓名",),
        "tested_on": ("检测日期", "日期"),
        "sample": ("样本", "检测样本", "检测项目"),
        "kind": ("检测方式", "检测类型"),
        "result": ("检测结果", "结果"),
        "collectors": ("检测人员", "检测人", "采样人"),
        "police_station": ("派出所", "检测机构"),
        "notes": ("备注",),
    }
    required = ("id_number", "tested_on", "result")
    example = ("520102199003151234", "张某某", "2024-04-12", "尿液", "现场检测", "阴性", "王专干、李民警", "新华路派出所", "")

    def context(self):
        return {"seen": {}, "persons": {}}

    def plan_row(self, plan, cells, labels, context):
        text = {key: sheets.text(value) for key, value in cells.items()}
        number = idcard.normalize(text.get("id_number"))
        plan.who = "%s %s" % (text.get("name") or "", idcard.mask(number))
        person = Person.get_or_none(Person.id_number == number, Person.deleted_at.is_null())
        if person is None:
            plan.error(labels["id_number"], "系统中没有身份证号为 %s 的在册人员，请先导入人员台账" % idcard.mask(number)
                       if number else "请填写身份证号")
        elif text.get("name") and text["name"] != person.name:
            plan.error(labels["name"], "姓名与系统中该身份证号的人员（%s）不符" % person.name)
        try:
            tested_on = sheets.day(cells.get("tested_on"))
        except ValueError as exc:
            plan.error(labels["tested_on"], str(exc))
            tested_on = None
        if tested_on is None and not cells.get("tested_on"):
            plan.error(labels["tested_on"], "请填写检测日期")
        if tested_on and tested_on > today():
            plan.error(labels["tested_on"], "检测日期不能晚于今天")
        sample = choice(text.get("sample"), SAMPLES, SAMPLE_SYNONYMS) if text.get("sample") else "urine"
        kind = choice(text.get("kind"), SCREENING_KINDS, KIND_SYNONYMS) if text.get("kind") else "onsite"
        result = choice(text.get("result"), RESULTS, RESULT_SYNONYMS)
        for key, value, options in (("sample", sample, SAMPLES), ("kind", kind, SCREENING_KINDS),
                                    ("result", result, RESULTS)):
            if value is None:
                plan.error(labels[key], "“%s”不是可选值（%s）" % (text.get(key) or "", "、".join(options.values())))
        if result == "positive":
            plan.error(labels["result"], "阳性结果须在系统中逐条录入（需填写阳性种类和 A/B 样本编号）")
        case = None
        if person is not None and tested_on:
            case = (Case.select().where(Case.person == person.id, Case.deleted_at.is_null(),
                                        Case.served_date <= tested_on).order_by(Case.id.desc()).first())
            if case is None:
                plan.error(labels["tested_on"], "检测日期早于该人员所有案件的送达日期")
        if plan.action == "error":
            return
        key = (person.id, tested_on, sample)
        if self.seen_before(plan, key, text, context):
            return
        if Screening.select().where(Screening.person == person.id, Screening.tested_on == tested_on,
                                    Screening.sample == sample, Screening.deleted_at.is_null()).exists():
            plan.action = "skip"
            plan.notes.append("系统中已有该日的%s检测" % SAMPLES[sample])
            return
        plan.who = "%s %s" % (person.name, idcard.mask(person.id_number))
        plan.notes.append("%s %s%s：%s" % (tested_on.isoformat(), SAMPLES[sample], "检测", RESULTS[result]))
        plan.payload = {"person": person.id, "case": case.id, "tested_on": tested_on, "sample": sample, "kind": kind,
                        "result": result, "collectors": text.get("collectors") or "",
                        "police_station": text.get("police_station"), "notes": text.get("notes")}

    def apply(self, plan, user, batch):
        screening = Screening.create(staff=user.id, **plan.payload)
        audit.record("screening.create", screening, person=plan.payload["person"], user=user, detail=batch)
        breaches.follow_through(screening, user)


# --- trainees (volunteers, workers, grid staff) -------------------------------------

TRAINEE_SYNONYMS = {"专干": "worker", "社工": "worker", "网格": "grid"}


class TraineeLedger(Ledger):
    key, title = "trainees", "培训人员（专干、志愿者、网格员）"
    reads = (Trainee,)
    columns = {
        "name": ("姓名",),
        "kind": ("人员类型", "类型", "身份"),
        "unit": ("单位", "所在单位", "工作单位"),
        "phone": ("联系电话", "电话", "手机"),
        "joined_on": ("加入日期", "入队日期", "注册日期"),
    }
    required = ("name", "kind")
    example = ("陈某某", "志愿者", "新华路社区", "13900001111", "2024-01-10")

    def plan_row(self, plan, cells, labels, context):
        text = {key: sheets.text(value) for key, value in cells.items()}
        name, phone = text.get("name"), clean_text(text.get("phone"))
        plan.who = name or "（无姓名）"
        if not name:
            plan.error(labels["name"], "请填写姓名")
        elif len(name) > 32:
            plan.error(labels["name"], "姓名不超过 32 个字")
        kind = choice(text.get("kind"), TRAINEE_TYPES, TRAINEE_SYNONYMS)
        if kind is None:
            plan.error(labels["kind"], "人员类型应为：%s" % "、".join(TRAINEE_TYPES.values()))
        try:
            joined_on = sheets.day(cells.get("joined_on"))
        except ValueError as exc:
            plan.error(labels["joined_on"], str(exc))
            joined_on = None
        if plan.action == "error" or self.seen_before(plan, (name, phone), text, context):
            return
        values = {"name": name, "kind": kind, "unit": text.get("unit"), "phone": phone, "joined_on": joined_on}
        query = Trainee.select().where(Trainee.name == name, Trainee.deleted_at.is_null())
        existing = query.where(Trainee.phone == phone).first() if phone else query.first()
        if existing is None:
            plan.payload = {"values": values}
            plan.notes.append("新增" + TRAINEE_TYPES[kind])
            return
        changes = {k: v for k, v in values.items() if v and v != getattr(existing, k)}
        plan.payload = {"id": existing.id, "changes": changes}
        plan.action = "update" if changes else "skip"
        plan.notes.append("更新：" + "、".join(self.columns[k][0] for k in changes) if changes else "已在名册中")

    def apply(self, plan, user, batch):
        if plan.action == "create":
            trainee = Trainee.create(**plan.payload["values"])
            audit.record("trainee.create", trainee, user=user, detail=batch)
        else:
            trainee = Trainee.get_by_id(plan.payload["id"])
            revise(trainee, plan.payload["changes"], user)
            audit.record("trainee.update", trainee, user=user, detail={**batch, "fields": sorted(plan.payload["changes"])})


LEDGERS = {ledger.key: ledger for ledger in (PersonLedger(), ScreeningLedger(), TraineeLedger())}


def commit(plan, user, batch):
    """Apply every create and update of a plan in one transaction, or nothing."""
    if not plan.ok:
        raise ValueError("a plan with errors cannot be committed")
    ledger = LEDGERS[plan.kind]
    with database.atomic():
        for row in plan.rows:
            if row.action in ("create", "update"):
                try:
                    ledger.apply(row, user, batch)
                except IntegrityError:  # e.g. the same ID number registered since the dry run
                    raise RowRefused("第 %d 行（%s）与刚刚保存的数据冲突，请重新试导入" % (row.row, row.who)) from None
    return plan.counts


class RowRefused(Exception):
    """A row the dry run accepted but the commit could not apply; nothing was imported."""
