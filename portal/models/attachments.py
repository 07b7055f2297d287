"""Scanned documents and photos in a person's file (SECURITY.md W11): stored under random names
beside the database, never under static/; deleted only softly, the file stays on disk."""
from peewee import CharField, Check, DateTimeField, ForeignKeyField, IntegerField

from ..dates import utcnow
from .accounts import User
from .base import BaseModel, check_in
from .cases import Agreement, Case
from .persons import Person

ATTACHMENT_KINDS = {"decision": "决定书", "agreement": "社区戒毒/康复协议", "registration": "报到登记表",
                    "lab_report": "检测报告", "photo": "照片", "other": "其他"}
ATTACHMENT_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


class Attachment(BaseModel):
    """A file in a person's case: its checked type, size and SHA-256, who uploaded it and any deletion."""

    person = ForeignKeyField(Person, backref="attachments")
    case = ForeignKeyField(Case, null=True, backref="attachments")
    agreement = ForeignKeyField(Agreement, null=True, backref="attachments")  # the edition a scan belongs to
    kind = CharField(constraints=[check_in("kind", ATTACHMENT_KINDS)])
    title = CharField()
    original_name = CharField()
    stored_name = CharField(unique=True)
    mime = CharField(constraints=[check_in("mime", ATTACHMENT_TYPES)])
    size = IntegerField(constraints=[Check("size > 0")])
    sha256 = CharField(constraints=[Check("length(sha256) = 64")])
    uploaded_by = ForeignKeyField(User, backref="+")
    uploaded_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)
    deleted_by = ForeignKeyField(User, null=True, backref="+")
    delete_reason = CharField(null=True)

    class Meta:
        constraints = [Check("deleted_at IS NULL OR (deleted_by_id IS NOT NULL AND delete_reason IS NOT NULL)")]

    @classmethod
    def of_person(cls, person_id, with_deleted=False):
        """A person's attachments, newest first; deleted ones only when asked for, after the live ones."""
        query = cls.select().where(cls.person == person_id)
        if not with_deleted:
            query = query.where(cls.is_live())
        return query.order_by(cls.deleted_at.is_null(False), cls.id.desc())

    @classmethod
    def by_agreement(cls, case_id):
        """Live scans linked to the agreement editions of a case, by agreement id."""
        scans = {}
        for row in cls.select().where(cls.case == case_id, cls.agreement.is_null(False),
                                      cls.is_live()).order_by(cls.id):
            scans.setdefault(row.agreement_id, []).append(row)
        return scans

    @property
    def kind_label(self):
        return ATTACHMENT_KINDS[self.kind]

    @property
    def suffix(self):
        return ATTACHMENT_TYPES[self.mime]
