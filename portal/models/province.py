"""The province's own tables: the org tree with each station's registered key, and the packages received.

No person data: a package holds counts only (docs/package.md), and these tables hold nothing else.
"""
from peewee import BigIntegerField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from ..dates import utcnow
from .accounts import User
from .base import BaseModel, check_in

LEVELS = {"province": "省", "prefecture": "市（州）", "county": "县（市、区）", "station": "工作站"}
CHILD_LEVEL = {"province": "prefecture", "prefecture": "county", "county": "station"}
VIA = {"upload": "网页上传", "cli": "命令导入"}


class OrgUnit(BaseModel):
    """A node of the tree: GB/T 2260 code (520000, 520100, 520102) or a station code (520102-01)."""

    code = CharField(unique=True)
    name = CharField()
    level = CharField(constraints=[check_in("level", LEVELS)])
    parent = ForeignKeyField("self", null=True, backref="children")
    public_key = CharField(null=True)  # a station's registered Ed25519 public key, base64 of the raw 32 bytes
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    @classmethod
    def by_level(cls, level):
        return cls.select().where(cls.level == level).order_by(cls.code)

    @classmethod
    def station(cls, code):
        """The station of that code, or None: a statement written as text, as it runs for every package received
        (peewee building it took three times as long as running it)."""
        return next(iter(cls.raw('SELECT * FROM "org_unit" WHERE "code" = %s AND "level" = %s', code, "station")),
                    None)

    @classmethod
    def tree(cls):
        """{parent id: [children by code]} of the whole tree, and the root."""
        children, root = {}, None
        for unit in cls.select().order_by(cls.code):
            if unit.parent_id is None:
                root = unit
            children.setdefault(unit.parent_id, []).append(unit)
        return root, children


    @classmethod
    def subtree(cls, unit):
        """{parent id: [children by code]} of the units under `unit`, read by code prefix: GB/T 2260 codes nest
        (52 → 5201 → 520102) and a station's code begins with its county's (520102-01)."""
        children = {}
        if unit.level != "station":
            prefix = unit.code[:{"province": 2, "prefecture": 4, "county": 6}[unit.level]]
            for child in cls.select().where(cls.code.startswith(prefix), cls.id != unit.id).order_by(cls.code):
                children.setdefault(child.parent_id, []).append(child)
        return children


class Package(BaseModel):
    """One package file received; a resubmission for the same station and month supersedes the earlier one,
    which is kept (`superseded_by`)."""

    station = ForeignKeyField(OrgUnit, backref="packages")
    month = CharField()  # "2026-11"
    generated_at = CharField()  # the station's generatedAt, as written
    received_at = DateTimeField(default=utcnow)
    received_by = ForeignKeyField(User, null=True)
    via = CharField(constraints=[check_in("via", VIA)])
    sha256 = CharField()
    size = IntegerField()
    content = TextField()  # the file as received (canonical JSON, counts only)
    superseded_by = ForeignKeyField("self", null=True)

    class Meta:
        indexes = ((("station", "month"), False),)

    @classmethod
    def current(cls):
        """The packages the tables count: the newest of each station and month."""
        return cls.select().where(cls.superseded_by.is_null())


# at most one current package per station and month (a partial unique index); a month's current ones (migration 0011)
Package.add_index(Package.index(Package.station, Package.month, unique=True, name="package_current")
                  .where(Package.superseded_by.is_null()))
Package.add_index(Package.index(Package.month, name="package_month_current").where(Package.superseded_by.is_null()))


class PackageValue(BaseModel):
    """One tuple of a package: data element × period × breakdown (the org unit is the package's station)."""

    package = ForeignKeyField(Package, backref="values")  # a BRIN index (migration 0011): finds any of its tuples
    element = CharField()
    period = CharField()  # month, year_to_date, month_last_year, year_to_date_last_year
    dimension = CharField(null=True)  # None: the total
    code = CharField(null=True)
    numerator = BigIntegerField()
    denominator = BigIntegerField(null=True)

    class Meta:
        primary_key = False  # never addressed one by one: found by package, period, element (migration 0010)


# the totals (no breakdown), the only tuples the province reads, by package and period; the index carries their
# numerator and denominator too (INCLUDE, migration 0011)
PackageValue.add_index(PackageValue.index(PackageValue.package, PackageValue.period, PackageValue.element,
                                          name="package_value_totals").where(PackageValue.dimension.is_null()))
