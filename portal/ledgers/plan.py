"""Importing the station's Excel ledgers: a dry run that plans every row, then the commit of
that plan in short transactions (batches.py).

A ledger kind (persons.py, screenings.py, trainees.py beside this module) names its columns
with the header texts real ledgers use, turns each row into the values of the portal's own
forms, so the rules are the screens' rules, and decides per row: create, update, skip or error.
"""
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from openpyxl.utils import get_column_letter
from peewee import fn

from ..models import User
from ..permissions import holding
from . import sheets


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


def staff_by_name(permission):
    """Accounts that may be named in a ledger column (their role holds `permission`), by display
    name and by username."""
    found = {}
    for user in User.select().where(holding(permission)):
        found.setdefault(user.display_name, user.id)
        found[user.username] = user.id
    return found


class Ledger:
    """One kind of ledger: its columns, template, row planning and commit."""

    key = title = ""
    columns = {}  # key -> header texts; the first is the template's header
    required = ()
    example = ()  # one example row for the template
    key_label = ""  # how a row finds its record, e.g. 身份证号
    landing = "imports.index"
    text_keys = ("id_number", "phone")  # columns Excel must keep as text
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

    def read(self, data, written=()):
        """The plan of every row of the first sheet in `data` (bytes of an .xlsx); rows numbered in
        `written` (already written by this import) are skipped unplanned."""
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
            if number in written:
                rows.append(RowPlan(row=number, action="skip", notes=["本次导入已写入"]))
                continue
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
        keys = list(self.columns)
        headers = [self.columns[k][0] + (" *" if k in self.required else "") for k in keys]
        notes = ["%s导入模板" % self.title, "在第一个工作表中从第 2 行起每行填写一条；带 * 的列必填。",
                 "日期可写 2023-05-06、2023.5.6 或 2023年5月6日；身份证号末位 X 大小写均可。",
                 "已在系统中的记录按%s更新，空白单元格不会覆盖已有内容。" % self.key_label,
                 "上传后先试导入，系统逐行列出问题，确认无误后才写入。"]
        return sheets.template(self.title, headers, {keys.index(k) for k in self.text_keys if k in keys},
                               {keys.index(k): v for k, v in self.choices().items()}, self.example, notes)

    def choices(self):
        """Columns with fixed values (key -> labels), offered as drop-down lists in the template."""
        return {}


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
