"""The ledger of drug tests, keyed by person (ID number), date and sample; positives are refused
(they need panels and A/B numbers typed on screen), refusals get the same follow-through as on screen; a
test dated after the person's measure ended is a follow-up test (随访检测), part of no case."""
from .. import audit, idcard
from ..cases import running_time
from ..dates import today
from ..models import RESULTS, SAMPLES, SCREENING_KINDS, Case, Person, Screening
from ..tracking import breaches
from . import sheets
from .plan import Ledger, choice

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
    example = ("520102199003151236", "张某某", "2024-04-12", "尿液", "现场检测", "阴性", "王专干、李民警", "新华路派出所", "")

    landing = "screenings.index"  # the list that shows what was imported
    key_label = "身份证号、检测日期和样本"

    def choices(self):
        return {"sample": list(SAMPLES.values()), "kind": list(SCREENING_KINDS.values()),
                "result": [label for key, label in RESULTS.items() if key != "positive"]}

    def context(self):
        return {"seen": {}, "persons": {}}

    def plan_row(self, plan, cells, labels, context):
        text = {key: sheets.text(value) for key, value in cells.items()}
        number = idcard.normalize(text.get("id_number"))
        plan.who = "%s %s" % (text.get("name") or "", idcard.mask(number))
        person = Person.get_or_none(Person.id_number == number, Person.is_live())
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
        case = None
        if person is not None and tested_on:
            case = (Case.select().where(Case.person == person.id, Case.is_live(),
                                        Case.served_date <= tested_on).order_by(Case.id.desc()).first())
            if case is None:
                plan.error(labels["tested_on"], "检测日期早于该人员所有案件的送达日期")
        if plan.action == "error":
            return
        key = (person.id, tested_on, sample)
        if self.seen_before(plan, key, text, context):
            return
        if Screening.select().where(Screening.person == person.id, Screening.tested_on == tested_on,
                                    Screening.sample == sample, Screening.is_live()).exists():
            plan.action = "skip"
            plan.notes.append("系统中已有该日的%s检测" % SAMPLES[sample])
            return
        if result == "positive":  # a new positive needs its panels and A/B numbers, and starts a relapse
            plan.error(labels["result"], "阳性结果须在系统中逐条录入（需填写阳性种类和 A/B 样本编号）")
            return
        plan.who = "%s %s" % (person.name, idcard.mask(person.id_number))
        plan.notes.append("%s %s%s：%s" % (tested_on.isoformat(), SAMPLES[sample], "检测", RESULTS[result]))
        if not running_time.belongs_to(case, tested_on):
            plan.notes.append("措施结束后的随访检测")
        plan.payload = {"person": person.id, "case": case.id if running_time.belongs_to(case, tested_on) else None, "tested_on": tested_on, "sample": sample, "kind": kind,
                        "result": result, "collectors": text.get("collectors") or "",
                        "police_station": text.get("police_station"), "notes": text.get("notes")}

    def apply(self, plan, user, batch):
        screening = Screening.create(staff=user.id, **plan.payload)
        audit.record("screening.create", screening, person=plan.payload["person"], user=user, detail=batch)
        breaches.follow_through(screening, user)
