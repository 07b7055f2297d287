"""The station's settings, one value per key."""
from peewee import CharField, TextField

from .base import BaseModel


class Setting(BaseModel):
    key = CharField(primary_key=True)
    value = TextField()
