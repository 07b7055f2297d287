"""Batch printing jobs: rendered in the background, downloaded once, then deleted."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..dates import utcnow
from .accounts import User
from .base import BaseModel, check_in

JOB_STATUSES = {"running": "正在生成", "done": "已完成，待下载", "cancelled": "已取消", "failed": "生成失败",
                "downloaded": "已下载并删除",
                "expired": "超过一天未下载，已删除"}


class PrintJob(BaseModel):
    user = ForeignKeyField(User, backref="print_jobs")
    profile = CharField()
    sections = CharField()
    output = CharField(constraints=[check_in("output", ("pdf", "zip"))])
    person_ids = TextField()  # comma-separated, in print order
    total = IntegerField()
    done = IntegerField(default=0)
    status = CharField(default="running", constraints=[check_in("status", JOB_STATUSES)])
    file_name = CharField(null=True)  # a random name in PRINT_DIR while the result waits
    error = TextField(null=True)
    created_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)

    @property
    def status_label(self):
        return JOB_STATUSES[self.status]
