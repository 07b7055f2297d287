"""Staff accounts with their roles, and their server-side sessions."""
from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField

from ..dates import utcnow
from .base import BaseModel, check_in

ROLES = {
    "lead": "站长",
    "officer": "驻站民警",
    "worker": "禁毒专干",
    "counsellor": "心理咨询师",
    "volunteer": "志愿者",
}
# The provincial portal's roles (INSTANCE = "province"; its schema's CHECK allows only these).
PROVINCE_ROLES = {
    "province_admin": "省局管理员",
    "province_viewer": "省局查看",
}


class User(BaseModel):
    username = CharField(unique=True)
    display_name = CharField()
    role = CharField(constraints=[check_in("role", ROLES)])
    password_hash = CharField()
    password_changed_at = DateTimeField(default=utcnow)
    must_change_password = BooleanField(default=True)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    is_active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    # Flask-Login protocol
    is_authenticated = True
    is_anonymous = False

    def get_id(self):
        return str(self.id)

    @property
    def role_label(self):
        return ROLES.get(self.role) or PROVINCE_ROLES[self.role]

    @classmethod
    def names(cls):
        """Display names of every account by id (for tables that show who did what)."""
        return {u.id: u.display_name for u in cls.select(cls.id, cls.display_name)}

    @classmethod
    def staff(cls, *roles):
        """Active accounts with one of the given roles, by name."""
        return cls.select().where(cls.is_active, cls.role.in_(roles)).order_by(cls.display_name)


class UserSession(BaseModel):
    """Server-side session: the cookie carries only a random id whose hash is stored here."""

    token_hash = CharField(unique=True)
    user = ForeignKeyField(User, backref="sessions")
    created_at = DateTimeField(default=utcnow)
    last_seen = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)
    revoked_reason = CharField(null=True)
    ip = CharField(null=True)
