"""Receiving a station's package: verified (known station, its registered key, format version, a month
that is over, well-formed) before it is stored; a resubmission for the same station and month supersedes
the earlier one, which is kept. Every package received or refused is audited."""
import hashlib
import io
import json
import re
from datetime import date

from .. import audit
from ..dates import local, today
from ..db import database, is_postgres
from ..exchange import signing
from ..exchange.package import BREAKDOWNS, periods
from ..exchange.signing import PackageError
from ..models import OrgUnit, Package, PackageValue

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
PAYLOAD_KEYS = {"format", "station", "month", "periods", "generatedAt", "dataElements", "breakdowns", "values"}
TUPLE_KEYS = {"breakdown", "dataElement", "denominator", "numerator", "orgUnit", "period"}
FORMAT_ERROR = "报送包格式错误：%s"
COPY_FIELDS = ("package", "element", "period", "dimension", "code", "numerator", "denominator")


def _station_of(data):
    """The station code the file claims (before its signature is checked against that station's key)."""
    try:
        payload = json.loads(data.decode("utf-8")).get("payload")
        station = payload.get("station") if isinstance(payload, dict) else None
    except (UnicodeDecodeError, ValueError, AttributeError):
        station = None
    if not isinstance(station, str):
        signing.verify(data)  # raises the format error that says why
        raise PackageError(FORMAT_ERROR % "缺少工作站代码。")
    return station


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
    """The tuples, checked: every key, period, breakdown code and count well-formed."""
    missing = PAYLOAD_KEYS - {"generatedAt"} - set(payload)
    if missing or not isinstance(payload.get("values"), list):
        raise PackageError(FORMAT_ERROR % "内容缺少必要的项目（%s）。" % "、".join(sorted(missing) or ["values"]))
    expected = {key: encoded for key, (encoded, _) in periods(first).items()}
    if payload["periods"] != expected:
        raise PackageError(FORMAT_ERROR % "期间与报送月份不符。")
    by_name = {encoded: key for key, encoded in expected.items()}
    rows = []
    for n, item in enumerate(payload["values"], start=1):
        problem = _tuple_problem(item, station, by_name)
        if problem:
            raise PackageError(FORMAT_ERROR % ("第 %d 条数据%s。" % (n, problem)))
        dimension, code = next(iter(item["breakdown"].items())) if item["breakdown"] else (None, None)
        rows.append({"element": item["dataElement"], "period": by_name[item["period"]], "dimension": dimension,
                     "code": code, "numerator": item["numerator"], "denominator": item["denominator"]})
    if not rows:
        raise PackageError(FORMAT_ERROR % "没有任何数据。")
    return rows


def _is_count(value, nullable=False, signed=False):
    if value is None:
        return nullable
    return isinstance(value, int) and not isinstance(value, bool) and (signed or value >= 0)


def _tuple_problem(item, station, by_name):
    if not isinstance(item, dict) or set(item) != TUPLE_KEYS:
        return "的项目不全或有多余项目"
    if item["orgUnit"] != station:
        return "的机构代码“%s”与工作站“%s”不符" % (item["orgUnit"], station)
    if item["period"] not in by_name:
        return "的期间“%s”不在本包的期间内" % item["period"]
    breakdown = item["breakdown"]
    if not isinstance(breakdown, dict) or len(breakdown) > 1 or any(
            d not in BREAKDOWNS or c not in BREAKDOWNS[d] for d, c in breakdown.items()):
        return "的分组“%s”无法识别" % json.dumps(breakdown, ensure_ascii=False)
    if not isinstance(item["dataElement"], str) or not re.fullmatch(r"[A-Z0-9_]+", item["dataElement"]):
        return "的数据元代码无效"
    signed = item["dataElement"] == "REGISTERED_YOY"  # its numerator is a difference (docs/package.md)
    if not _is_count(item["numerator"], signed=signed) or not _is_count(item["denominator"], nullable=True):
        return "的分子或分母不是非负整数"
    return None


def verify(data, today_=None):
    """(station, payload) of a package that may be stored; PackageError with the reason otherwise."""
    code = _station_of(data)
    station = OrgUnit.station(code)
    if station is None:
        raise PackageError("未登记的工作站“%s”：请先在“组织机构”中把该站添加到所在县（市、区）下并登记其公钥。" % code[:20])
    if not station.public_key:
        raise PackageError("工作站“%s %s”尚未登记公钥：请在“组织机构”中登记后再导入。" % (station.code, station.name))
    payload = signing.verify(data, station.public_key)
    first = check_month(payload.get("month"), today_ or today())
    return station, payload, first


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


def store_values(package_id, rows):
    """A package's tuples (about 1,400): one COPY on PostgreSQL, where building an INSERT of them in Python took
    most of an import's time; batched INSERTs elsewhere. Every text was checked against the closed vocabulary."""
    if not is_postgres():
        for start in range(0, len(rows), 1000):
            PackageValue.insert_many([{**row, "package": package_id} for row in rows[start:start + 1000]]).execute()
        return
    text = io.StringIO()
    for row in rows:
        text.write("%d\t%s\t%s\t%s\t%s\t%d\t%s\n" % (
            package_id, row["element"], row["period"], row["dimension"] or "\\N", row["code"] or "\\N", row["numerator"],
            "\\N" if row["denominator"] is None else row["denominator"]))
    text.seek(0)
    fields = PackageValue._meta.fields
    columns = ", ".join(fields[name].column_name for name in COPY_FIELDS)
    database.cursor().copy_expert("COPY %s (%s) FROM STDIN" % (PackageValue._meta.table_name, columns), text)


def receive(data, via, user=None, filename=None):
    """Store a verified package (superseding the current one of its station and month) and audit it;
    refused ones are audited too and raise PackageError."""
    digest = hashlib.sha256(data).hexdigest()
    detail = {"file": (filename or "")[:120], "sha256": digest, "via": via}
    try:
        station, payload, first = verify(data)
        rows = check_values(payload, station.code, first)
        with database.atomic():
            OrgUnit.select(OrgUnit.id).where(OrgUnit.id == station.id).for_update().get()  # one at a time
            current = Package.get_or_none(Package.station == station, Package.month == payload["month"],
                                          Package.superseded_by.is_null())
            stale_or_same(current, digest, payload, station)
            package = Package.create(station=station, month=payload["month"], received_by=user, via=via,
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
