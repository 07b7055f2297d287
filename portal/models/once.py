"""The first answer to a form posted with a one-time token (portal/web/once.py): a form sent twice
is answered the second time with what the first save answered."""
from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..dates import utcnow
from .accounts import User
from .base import BaseModel


class FormAnswer(BaseModel):
    token = CharField(unique=True)  # the random token of one rendered form
    user = ForeignKeyField(User)
    path = CharField()
    status = IntegerField()
    headers = TextField()  # JSON: Content-Type, Location, HX-* of the first answer
    body = TextField()
    created_at = DateTimeField(default=utcnow, index=True)  # kept a day
