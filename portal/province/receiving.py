"""Receiving a station's package: verified (known station, its registered key, format version, a month
that is over, well-formed) before it is stored; a resubmission for the same station and month supersedes
the earlier one, which is kept. Every package received or refused is audited."""
import contextlib
import contextvars
import hashlib
import io
import json
import re
from datetime import date

from .. import audit
from ..dates import local, today
from ..db import database, is_postgres
from ..exchange import signing
from ..exchange.package import BREAKDOWNS, CODES, EXTRAS, periods
from ..exchange.signing import PackageError
from ..models import OrgUnit, Package, PackageValue

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
PAYLOAD_KEYS = {"format", "station", "month", "periods", "generatedAt", "dataElements", "breakdowns", "values"}
TUPLE_KEYS = {"breakdown", "dataElement", "denominator", "numerator", "orgUnit", "period"}
FORMAT_ERROR = "报送包格式错误：%s"
COPY_FIELDS = ("package", "element", "period", "dimension", "code", "numerator", "denominator")
CELL_CODES = frozenset((dimension, code) for dimension, codes in BREAKDOWNS.items() for code in codes)
ELEMENT = re.compile(r"[A-Z0-9_]+")
KNOWN_ELEMENTS = frozenset(CODES.values()) | frozenset(EXTRAS)


def check_month(text, today_):
    """The first day of the package's month; refused when malformed or not over yet."""
    match = MONTH.match(text if isinstance(text, str) else "")
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise PackageError(FORMAT_ERROR % "月份“%s”应写成“2026-11”的形式。" % text)
    year, month = int(match.group(1)), int(match.group(2))
    if (year, month) >= (today_.year, today_.month):
        raise PackageError("报送月份 %d年%d月 尚未结束（今天是 %s），不能接收未来或本月的报送包。" % (
            year, month, today_.isoformat()))
    return date(year, month, 1)


def check_values(payload, station, first):
    """The tuples as rows (element, period, dimension, code, numerator, denominator), every key, period,
    breakdown code and count checked; the first bad one refused with its number and what is wrong with it."""
    missing = PAYLOAD_KEYS - {"generatedAt"} - set(payload)
    if missing or not isinstance(payload.get("values"), list):
        raise PackageError(FORMAT_ERROR % "内容缺少必要的项目（%s）。" % "、".join(sorted(missing) or ["values"]))
    expected = {key: encoded for key, (encoded, _) in periods(first, payload["format"]).items()}
    if payload["periods"] != expected:
        raise PackageError(FORMAT_ERROR % "期间与报送月份不符。")
    by_name = {}  # a text of two periods (the first quarter's quarter to date) is stored as the first: year_to_date
    for key, encoded in expected.items():
        by_name.setdefault(encoded, key)
    rows = [_row(item, station, by_name) for item in payload["values"]]
    if None in rows:
        n = rows.index(None)
        item = payload["values"][n]
        raise PackageError(FORMAT_ERROR % ("第 %d 条数据%s。" % (n + 1, _tuple_problem(item, station, by_name))))
    if not rows:
        raise PackageError(FORMAT_ERROR % "没有任何数据。")
    return rows


def _row(item, station, by_name):
    """One tuple as a row, or None when anything in it is wrong (`_tuple_problem` says what). Runs for each of a
    package's ~1,560 tuples: six keys read without a KeyError are exactly TUPLE_KEYS, and the data elements this
    code knows need no pattern."""
    try:
        if type(item) is not dict or len(item) != 6 or item["orgUnit"] != station:
            return None
        period, breakdown, element = item["period"], item["breakdown"], item["dataElement"]
        numerator, denominator = item["numerator"], item["denominator"]
    except KeyError:
        return None
    if type(period) is not str or period not in by_name or type(breakdown) is not dict:
        return None
    if not breakdown:
        dimension = code = None
    elif len(breakdown) == 1:
        ((dimension, code),) = breakdown.items()
        if type(code) is not str or (dimension, code) not in CELL_CODES:
            return None
    else:
        return None
    if type(element) is not str or element not in KNOWN_ELEMENTS and not ELEMENT.fullmatch(element) or type(
            numerator) is not int or (
            numerator < 0 and element != "REGISTERED_YOY") or not (
            denominator is None or type(denominator) is int and denominator >= 0):
        return None
    return element, by_name[period], dimension, code, numerator, denominator


def _is_count(value, nullable=False, signed=False):
    if value is None:
        return nullable
    return isinstance(value, int) and not isinstance(value, bool) and (signed or value >= 0)


def _tuple_problem(item, station, by_name):
    if not isinstance(item, dict) or set(item) != TUPLE_KEYS:
        return "的项目不全或有多余项目"
    if item["orgUnit"] != station:
        return "的机构代码“%s”与工作站“%s”不符" % (item["orgUnit"], station)
    if not isinstance(item["period"], str) or item["period"] not in by_name:
        return "的期间“%s”不在本包的期间内" % item["period"]
    breakdown = item["breakdown"]
    if not isinstance(breakdown, dict) or len(breakdown) > 1 or any(
            not isinstance(c, str) or (d, c) not in CELL_CODES for d, c in breakdown.items()):
        return "的分组“%s”无法识别" % json.dumps(breakdown, ensure_ascii=False)
    if not isinstance(item["dataElement"], str) or not ELEMENT.fullmatch(item["dataElement"]):
        return "的数据元代码无效"
    signed = item["dataElement"] == "REGISTERED_YOY"  # its numerator is a difference (docs/package.md)
    if not _is_count(item["numerator"], signed=signed) or not _is_count(item["denominator"], nullable=True):
        return "的分子或分母不是非负整数"
    return "无法识别"


def check_station(station, code):
    """The station of the file's code, registered with a key; refused otherwise."""
    if station is None:
        raise PackageError("未登记的工作站“%s”：请先在“组织机构”中把该站添加到所在县（市、区）下并登记其公钥。" % code[:20])
    if not station.public_key:
        raise PackageError("工作站“%s %s”尚未登记公钥：请在“组织机构”中登记后再导入。" % (station.code, station.name))


def stale_or_same(current, digest, payload, station):
    """Refuse the very file already current, or one built before it (an old file must not undo a correction)."""
    if current is None:
        return
    received = local(current.received_at).strftime("%Y-%m-%d")
    if current.sha256 == digest:
        raise PackageError("与 %s 已收到的 %s %s 的报送包完全相同（SHA-256 %s…），未重复导入。" % (
            received, station.name, payload["month"], digest[:16]))
    if str(payload.get("generatedAt", "")) < current.generated_at:
        raise PackageError("该报送包生成于 %s，早于 %s 已收到的版本（生成于 %s），未替换。" % (
            payload.get("generatedAt"), received, current.generated_at))


_pending = contextvars.ContextVar("pending_values", default=None)


@contextlib.contextmanager
def batch():
    """Receive several files in the transaction open around it: no savepoint per file (every refusal is raised
    before the file's first write, so a refused one leaves nothing to undo) and the tuples of the packages
    received written together at the end, one COPY for the batch."""
    pending = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    copy_values(pending)


def store_values(package_id, rows):
    """A package's rows (about 1,000-1,600): held for the batch's COPY when one is open, else written now."""
    pending = _pending.get()
    if pending is not None:
        pending.append((package_id, rows))
    else:
        copy_values([(package_id, rows)])


def copy_values(packages):
    """[(package id, rows)]: one COPY on PostgreSQL, where building an INSERT of them in Python took most of an
    import's time; batched INSERTs elsewhere. Every text was checked against the closed vocabulary."""
    if not packages:
        return
    if not is_postgres():
        names = COPY_FIELDS[1:]
        for package_id, rows in packages:
            for start in range(0, len(rows), 1000):
                PackageValue.insert_many([{"package": package_id, **dict(zip(names, row))}
                                          for row in rows[start:start + 1000]]).execute()
        return
    null = "\\N"
    text = io.StringIO("".join(["%d\t%s\t%s\t%s\t%s\t%d\t%s\n" % (
        package_id, element, period, dimension or null, code or null, numerator, null if denominator is None else
        denominator) for package_id, rows in packages for element, period, dimension, code, numerator, denominator
        in rows]))
    fields = PackageValue._meta.fields
    columns = ", ".join(fields[name].column_name for name in COPY_FIELDS)
    database.cursor().copy_expert("COPY %s (%s) FROM STDIN" % (PackageValue._meta.table_name, columns), text)


# the two statements of every package received, as text: peewee's building of them cost more than running them
FIELDS = [f for f in Package._meta.sorted_fields if f.name != "id"]
STATION_FIELDS = OrgUnit._meta.sorted_fields
LOCK_CURRENT = ("SELECT %s, %s FROM org_unit o LEFT JOIN package p ON p.station_id = o.id AND p.month = %%s "
                "AND p.superseded_by_id IS NULL WHERE o.code = %%s AND o.level = 'station' FOR UPDATE OF o" % (
                    ", ".join("o." + f.column_name for f in STATION_FIELDS),
                    ", ".join("p." + f.column_name for f in Package._meta.sorted_fields)))
INSERT = "INSERT INTO package (%s) VALUES (%s) RETURNING id" % (
    ", ".join(f.column_name for f in FIELDS), ", ".join(["%s"] * len(FIELDS)))


def lock_current(code, month):
    """(station of that code or None, its current package of the month or None), the station's row locked: its
    packages are received one at a time. One statement, as it runs for every package received."""
    row = database.execute_sql(LOCK_CURRENT, (month if isinstance(month, str) else None, code)).fetchone()
    if row is None:
        return None, None
    station = OrgUnit(**{f.name: value for f, value in zip(STATION_FIELDS, row)})
    package = row[len(STATION_FIELDS):]
    if package[0] is None:
        return station, None
    return station, Package(**{f.name: value for f, value in zip(Package._meta.sorted_fields, package)})


def insert_package(**values):
    """Package.create(**values), its INSERT written once."""
    package = Package(**values)  # its defaults (received_at) filled in
    params = [f.db_value(getattr(package, f.name)) for f in FIELDS]
    package.id = database.execute_sql(INSERT, params).fetchone()[0]
    return package


def receive(data, via, user=None, filename=None):
    """Store a verified package (superseding the current one of its station and month) and audit it;
    refused ones are audited too and raise PackageError. The file is parsed once: its form first, then its station
    (locked), that station's key, the signature, the month, the tuples; every refusal comes before the first write."""
    digest = hashlib.sha256(data).hexdigest()
    detail = {"file": (filename or "")[:120], "sha256": digest, "via": via}
    try:
        envelope, signed = signing.open_envelope(data)
        code = envelope["payload"].get("station")
        if not isinstance(code, str):
            raise PackageError(FORMAT_ERROR % "缺少工作站代码。")
        with database.atomic() if _pending.get() is None else contextlib.nullcontext():
            station, current = lock_current(code, envelope["payload"].get("month"))  # one at a time per station
            check_station(station, code)
            payload = signing.check_signature(envelope, signed, station.public_key)
            first = check_month(payload.get("month"), today())
            rows = check_values(payload, station.code, first)
            stale_or_same(current, digest, payload, station)
            package = insert_package(station=station, month=payload["month"], received_by=user, via=via,
                                     generated_at=str(payload.get("generatedAt", "")), sha256=digest,
                                     size=len(data), content=data.decode("utf-8"),
                                     superseded_by=current)  # not current until the old one steps down:
            if current is not None:  # at most one current package per station and month (package_current)
                Package.update(superseded_by=package).where(Package.id == current.id).execute()
                Package.update(superseded_by=None).where(Package.id == package.id).execute()
            store_values(package.id, rows)
            audit.record("package.receive", package, user=user, detail={
                **detail, "station": station.code, "month": payload["month"],
                "replaces": current.id if current is not None else None})
        return package, current
    except PackageError as exc:
        audit.record("package.refuse", object_type="package", outcome="failed", user=user,
                     reason=str(exc), detail=detail)
        raise
