"""The audit trail in Chinese: a label for every action and object, and a row's detail in words."""
import functools
import json

from flask import g
from wtforms.fields.core import UnboundField

from .. import models
from ..accounts.forms import UserForm
from ..models import CASE_STATUSES, MEASURES, ROLES
from ..persons.forms import CaseForm, FamilyMemberForm, PersonForm
from ..persons.page import SECTIONS
from ..records.forms import RiskForm, TalkForm, VisitForm
from ..records.risk_levels import FORCED_HIGH
from ..reports import summaries
from ..tracking.forms import AbsenceForm, FindingForm
from ..tracking.screening_forms import ScreeningForm

ACTION_LABELS = {
    "login": "登录", "login_failed": "登录失败", "login_locked": "锁定期间尝试登录", "logout": "退出",
    "password_changed": "修改密码", "person.list": "查看人员列表", "person.view": "查看档案",
    "person.create": "登记人员", "person.update": "修改基本信息", "person.delete": "删除档案",
    "person.restore": "恢复档案", "person.seal": "封存档案（解除动态管控）", "person.unseal": "解除封存",
    "person.open_sealed": "开启已封存档案", "person.anonymise": "匿名化档案（超过保存期限）",
    "person.reidentify": "已匿名化档案重新登记", "person.reveal_id": "查看完整身份证号", "person.list_deleted": "查看已删除档案",
    "case.create": "新建案件", "case.update": "修改案件", "family.create": "添加家庭成员",
    "family.delete": "移除家庭成员", "family.restore": "恢复家庭成员", "user.create": "新建账户", "user.update": "修改账户",
    "user.reset_password": "重置密码", "audit.view": "查看审计日志", "audit.person": "查看人员访问记录",
    "audit.user": "查看用户操作记录", "demo.load": "装入演示数据", "case.view": "打开案件编辑",
    "access_denied": "越权访问被拒绝", "talk.create": "记录谈话", "talk.update": "更正谈话",
    "talk.delete": "删除谈话", "talk.view": "查看谈话", "talk.list": "查看谈话列表", "risk.create": "风险评估",
    "risk.view": "查看风险评估", "risk.update": "更正风险评估", "risk.delete": "删除风险评估", "risk.force_high": "自动调为高风险", "timeline.view": "查看工作记录",
    "queue.view": "查看今日待办", "caseload.view": "查看我的心理疏导", "caseload.sessions": "查看我的疏导记录", "visit.create": "记录走访", "visit.update": "更正走访", "visit.delete": "删除走访",
    "visit.view": "查看走访", "visit.list": "查看走访列表", "settings.update": "修改站点设置", "choice.add": "添加检测常用项", "choice.hide": "停用检测常用项",
    "choice.restore": "恢复检测常用项", "audit.verify": "校验审计日志", "session_expired": "会话超时结束", "password_change_failed": "修改密码时当前密码错误",
    "screening.create": "登记检测", "screening.update": "更正检测", "screening.delete": "删除检测",
    "screening.view": "查看检测", "screening.list": "查看检测列表", "screening.day": "打开集中检测",
    "screening.decide": "认定疑似逃避检测", "absence.create": "登记外出", "absence.update": "更正外出",
    "absence.delete": "删除外出", "absence.view": "查看外出", "absence.decide": "认定逾期未归", "case.transition": "办理案件状态变更",
    "agreement.create": "签订协议", "incident.create": "登记须报告事件", "incident.report": "记录报告公安",
    "breach.create": "登记违反协议", "breach.educate": "记录批评教育", "breach.decide": "认定逾期报到", "tracking.view": "查看操守追踪档案",
    "person.print": "打印个案摘要", "print.batch": "批量打印", "print.cancel": "取消批量打印",
    "print.download": "下载批量打印结果", "indicators.view": "查看工作指标", "indicators.drill": "查看指标明细",
    "indicators.print": "打印工作站报表", "counselling.create": "记录心理疏导", "counselling.update": "更正心理疏导",
    "counselling.view": "查看心理疏导", "counselling.reveal_notes": "查看咨询记录（须事由）",
    "assistance.create": "新建帮扶事项", "assistance.view": "查看帮扶事项", "assistance.step": "记录帮扶过程",
    "assistance.update": "更新帮扶状态", "assistance.list": "查看帮扶列表", "training.create": "新建培训",
    "attendance.update": "登记出勤", "attendance.all_present": "全部出席", "attendance.add": "补充培训名单",
    "training.print": "打印签到表/出勤记录", "trainee.create": "加入培训名单", "event.create": "登记宣传活动",
    "event.photo": "上传活动照片", "attachment.create": "上传附件", "attachment.view": "下载附件",
    "attachment.delete": "删除附件", "ledger.dry_run": "试导入台账", "ledger.import": "导入台账",
    "ledger.abandon": "放弃导入台账（删除上传的文件）",
    "record.restore": "恢复已删除的工作记录", "attachment.restore": "恢复附件",
    "list.export": "导出 Excel 台账", "person.export": "导出（含此人）", 
    "list.print": "打印列表", "person.list_print": "打印列表（含此人）", "person.duplicate_check": "登记时查重",
    "person.merge": "合并重复档案", "person.unmerge": "撤销合并", "trainee.update": "更新培训名单",
    "backup.create": "备份数据库", "backup.restore": "从备份恢复",
    "finding.create": "登记公安查获复吸", "finding.view": "查看公安查获复吸", "finding.update": "更正公安查获复吸",
    "finding.delete": "删除公安查获复吸", "case.notice": "记录解除通知", "case.relocation_report": "记录到新执行地报到",
    "agreement.print": "打印协议书", "notice.print": "打印解除通知书", "breach.print": "打印批评教育记录",
    "incident.print": "打印向公安机关报告",
    "package.build": "生成报送包", "package.download": "下载报送包",
    "package.receive": "接收报送包", "package.refuse": "拒收报送包", "org.load": "载入行政区划",
    "org.station_add": "添加工作站", "province.print": "打印年度报告", "org.key_register": "登记工作站新公钥", "station_key.create": "生成工作站签名密钥",
}
OBJECT_LABELS = {"person": "人员", "case": "案件", "familymember": "家庭成员", "user": "账户", "audit": "审计日志",
                 "screening": "检测", "absence": "外出", "agreement": "协议", "incident": "须报告事件",
                 "breach": "违反协议", "printjob": "批量打印", "indicator": "工作指标",
                 "counsellingsession": "心理疏导", "assistancecase": "帮扶事项", "assistancestep": "帮扶过程",
                 "talk": "谈话", "homevisit": "走访", "riskassessment": "风险评估", "attachment": "附件",
                 "persons": "人员台账", "screenings": "检测台账", "talks": "谈话台账", "visits": "走访台账",
                 "assistance": "帮扶台账", "attendance": "培训签到台账", "events": "宣传活动台账",
                 "trainees": "培训人员台账", "drill": "指标明细台账", "relapsefinding": "公安查获复吸", "releasenotice": "解除通知",
                  "package": "报送包", "station_key": "工作站签名密钥", "queue": "今日待办", "caseload": "我的心理疏导", "orgunit": "组织机构",
                  "org_unit": "组织机构"}
DETAIL_LABELS = {
    "q": "查询", "page": "页码", "shown": "显示条数", "fields": "修改项", "person": "所属人员编号",
    "role": "角色", "measure": "措施", "status": "状态", "worker": "专干", "username": "用户名", "via": "方式",
    "persons": "人数", "seed": "随机种子", "is_active": "启用", "display_name": "姓名", "path": "地址",
    "form": "页面", "locked": "已锁定", "reason": "原因", "action": "事项", "from": "原状态", "to": "新状态",
    "on": "日期", "kind": "类别", "decision": "认定", "batch": "集中检测", "missed": "应检日期", "edition": "版本",
    "recipient": "接收人", "reported_on": "报告日期", "trigger": "原因", "profile": "打印版本",
    "sections": "打印内容", "output": "输出方式", "period": "统计期", "indicator": "指标", "part": "分子/分母",
    "numerator": "分子", "denominator": "分母", "attachment": "附件编号", "size": "字节数", "sha256": "SHA-256",
    "in_measure": "执行期间", "sent_on": "通知日期", "moved_on": "变更执行地日期", "document_number": "文书编号",
    "first_row": "首个问题记录", "problems": "问题数",
    "month": "报送月份", "fingerprint": "公钥指纹", "station.code": "工作站代码",
    "as_of": "截至日期", "changed": "改动人数", "conflict": "保存冲突", "done": "已完成", "total": "总数",
    "duplicates": "疑似重复", "file": "文件", "problem": "问题", "mine": "只看我负责的", "rows": "导出行数",
    "unmasked": "完整身份证号和电话", "minors_left_out": "未列入的未成年人", "record": "打印内容",
    "records": "清除的记录数", "scans": "删除的扫描件", "roster": "名单人数", "sealed": "已封存",
    "volunteers": "志愿者人数", "uploads": "附件数", "created_at": "备份时间", "error": "错误",
    "start": "起始日期", "end": "截止日期", "staff": "工作人员", "assessment": "评估", "place": "地点",
    "result": "结果", "sample": "样本", "category": "类别", "year": "年份", "anomaly": "异常情况",
    "rotated_out": "清理的旧备份", "file_rows": "文件行数", "longest_lock_ms": "最长一次写入（毫秒）",
    "create": "新增", "update": "更新", "skip": "跳过", "import": "导入批次", "minor": "涉及未成年人",
    "added": "新增机构数", "renamed": "更名机构数", "code": "代码", "name": "名称", "station": "工作站", "unit": "单位",
    "old": "原公钥指纹", "new": "新公钥指纹", "section": "档案部分",
}
# Internal row numbers and server paths mean nothing to a reader: they stay in the stored detail, unshown.
HIDDEN_DETAILS = {"person", "attachment", "export", "assistance", "event", "session", "trainee", "overdue_return",
                  "found", "merge", "into", "folder", "replaces"}
LEDGER_LABELS = {k: v for k, v in OBJECT_LABELS.items() if v.endswith("台账")}
KEYED_VALUES = {  # codes whose meaning depends on the key they come under
    "kind": {**models.ATTACHMENT_KINDS, **models.BREACH_KINDS, **models.INCIDENT_KINDS, **LEDGER_LABELS},
    "status": {**CASE_STATUSES, **models.ATTENDANCE}, "assessment": models.ASSESSMENTS,
    "place": models.TALK_PLACES, "result": models.RESULTS, "sample": models.SAMPLES,
    "category": {**models.ASSISTANCE_CATEGORIES, **LEDGER_LABELS}, "anomaly": models.VISIT_ANOMALIES,
    "section": {name: label for name, (label, _) in SECTIONS.items()},
    "form": {"talk": "谈话登记表", "risk": "风险评估表", "screening": "检测登记表", "absence": "外出登记表",
             "finding": "公安查获复吸登记表", "assistance": "帮扶登记表", "family": "家庭成员登记表",
             "delete": "删除确认", "merge": "合并核对页", "print": "打印设置页", "removed": "已删除的记录",
             "agreement": "协议登记表"},
}


@functools.cache
def field_labels():
    """Chinese labels of every form field, by field name (for audit details)."""
    return {name: field.args[0] for form in (UserForm, FamilyMemberForm, CaseForm, PersonForm, RiskForm, VisitForm,
                                             TalkForm, ScreeningForm, AbsenceForm)
            for name, field in unbound_fields(form)}


def unbound_fields(form):
    """(name, field) of every field a form class declares, its base classes' included."""
    return [(name, getattr(form, name)) for name in dir(form)
            if isinstance(getattr(form, name, None), UnboundField) and getattr(form, name).args]


def audit_detail(raw):
    """An audit row's JSON detail as readable Chinese: "查询：zs；页码：1"."""
    if not raw:
        return ""
    labels = field_labels()
    values = {**models.ATTACHMENT_KINDS, **ROLES, **MEASURES, **CASE_STATUSES, **models.CASE_ACTIONS,
              **summaries.SECTIONS, **{key: label for key, (label, _) in summaries.PROFILES.items()},
              "confirm": "确认逃避检测", "excuse": "有正当理由", "current": "在管", "ended": "已结束", "all": "全部", "True": "是", "False": "否",
              "edit": "编辑页", "measure": "登记新的措施表", "visit": "走访登记表（含住址）", "counselling": "心理疏导登记表（含既往记录）", "cli": "命令行", "web": "网页",
              "idle": "闲置超时", "absolute": "超过最长时限", "disabled": "账户已停用",
              **FORCED_HIGH}
    parts = []
    for key, value in json.loads(raw).items():
        if key in HIDDEN_DETAILS:
            continue
        codes = {**values, **KEYED_VALUES.get(key, {})}
        if isinstance(value, list):
            value = "、".join(labels.get(v) or codes.get(str(v), v) for v in value)
        elif key in ("staff", "worker") and isinstance(value, int):
            value = staff_names().get(value, "（已删除的账户）")
        parts.append("%s：%s" % (DETAIL_LABELS.get(key, "其他"), codes.get(str(value), value)))
    return "；".join(parts)


def staff_names():
    """Account names by id, read once per request."""
    if "staff_names" not in g:
        g.staff_names = models.User.names()
    return g.staff_names


FORM_OF = {"Talk": TalkForm, "HomeVisit": VisitForm, "RiskAssessment": RiskForm, "Screening": ScreeningForm,
           "Absence": AbsenceForm, "Person": PersonForm, "Case": CaseForm, "FamilyMember": FamilyMemberForm,
           "RelapseFinding": FindingForm}


@functools.cache
def shown_fields(model):
    """Of the form a model's rows are typed in: field name -> (label, {code: label} of its choices)."""
    form = FORM_OF.get(model)
    if form is None:
        return {name: (label, {}) for name, label in field_labels().items()}
    return {name: (field.args[0], {str(k): v for k, v in field.kwargs.get("choices") or ()})
            for name, field in unbound_fields(form)}


def shown(value, choices):
    """A stored value as the screen shows it: choice labels (several for a checklist), 是/否."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if choices and isinstance(value, str) and "," in value:
        return "、".join(choices.get(code, code) for code in value.split(","))
    return choices.get(str(value), value)


def revision_fields(revision):
    """(label, value) pairs of a saved earlier version, for the fields people typed, in Chinese."""
    fields = shown_fields(revision.model)
    return [(fields[k][0], shown(v, fields[k][1])) for k, v in json.loads(revision.data).items()
            if k in fields and v not in (None, "")]
