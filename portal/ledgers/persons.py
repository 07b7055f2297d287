"""The ledger of persons and their cases, keyed by ID number (a case by its decision number)."""
from werkzeug.datastructures import MultiDict

from .. import audit, idcard
from ..cases import lifecycle
from ..models import ACTIVE_STATUSES, MEASURES, Case, Person, User
from ..permissions import holding
from ..persons.forms import COMMUNITY_DETOX_MONTHS, DRUG_TYPES, ETHNICITIES, CaseForm, PersonForm
from ..versions import revise
from . import sheets
from .plan import Ledger, choice, dated, form_errors, staff_by_name

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
    example = ("张某某", "520102199003151236", "汉族", "13812345678", "贵州省贵阳市南明区新华路 1 号",
               "贵阳市南明区花果园 2 栋", "个体经营", "冰毒（甲基苯丙胺）", "社区戒毒",
               "筑南公（禁）社戒决字〔2024〕15号", "2024-03-01", "2024-03-05", "2024-03-12", 36, "新华路街道",
               "王专干", "李民警")

    landing = "persons.index"  # the list that shows what was imported
    key_label = "身份证号（案件按决定书文号）"

    def choices(self):
        return {"measure": list(MEASURES.values()), "drug_type": [d for d in DRUG_TYPES if d]}

    def context(self):
        """What every row is checked against, read once: staff, persons by ID number, current cases."""
        persons = {p.id_number: p for p in Person.select()}
        namesakes = {}
        for person in persons.values():
            if person.deleted_at is None:
                namesakes.setdefault((person.name, person.birth_date), []).append(person)
        return {"seen": {}, "workers": staff_by_name("cases.worker"), "officers": staff_by_name("cases.officer"),
                "staff": [list(User.select().where(holding(permission))) for permission in (
                    "cases.officer", "cases.worker", "cases.counsellor")],
                "persons": persons, "namesakes": namesakes,
                "cases": {c.person_id: c for c in Case.live().where(Case.is_current())}}

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
