"""The roster of trainees (workers, volunteers, grid staff), keyed by name and phone."""
from .. import audit
from ..fields import clean_text
from ..models import TRAINEE_TYPES, Trainee
from ..versions import revise
from . import sheets
from .plan import Ledger, choice

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

    landing = "training.trainees"  # the list that shows what was imported
    key_label = "姓名和联系电话"

    def choices(self):
        return {"kind": list(TRAINEE_TYPES.values())}

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
        query = Trainee.select().where(Trainee.name == name, Trainee.is_live())
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
