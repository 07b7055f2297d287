"""The packages made, kept beside the database (packages/, 0700) as the bytes that were signed: make
one (build, sign, store, audit), list them, read one back."""
import hashlib
import os
import re
from pathlib import Path

from flask import current_app

from .. import audit
from ..dates import local, utcnow
from . import package, signing

NAME = re.compile(r"^package-(\d{4}-\d{2})-(\d{8}-\d{6})(?:-(\d{1,3}))?\.json$")


def packages_dir():
    return Path(current_app.config["DATABASE"]).resolve().parent / "packages"


def download_name(station, month):
    return "报送包-%s-%s.json" % (station, month)


def station_key(user=None):
    """The station's signing key, made (and audited) the first time it is needed."""
    key, made = signing.make_key()
    if made:
        audit.record("station_key.create", object_type="station_key", user=user,
                     detail={"fingerprint": signing.fingerprint(key)})
    return key


def make(first, user=None, via="web"):
    """Build, sign and keep the package of the month starting on `first`; audited as package.build.
    Returns (file name, the bytes, their SHA-256). Raises package.NotReady without a station code."""
    station = package.station_code()
    if not station:
        raise package.NotReady("尚未设置工作站代码：请站长在“站点设置 → 数据报送”中填写本站代码后再生成报送包。")
    key = station_key(user)
    data = signing.sign(package.build(first, station), key)
    digest = hashlib.sha256(data).hexdigest()
    folder = packages_dir()
    folder.mkdir(mode=0o700, exist_ok=True)
    path = _new_path(folder, "%04d-%02d" % (first.year, first.month))
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
        f.write(data)
    try:
        audit.record("package.build", object_type="package", user=user, detail={
            "month": "%04d-%02d" % (first.year, first.month), "file": path.name, "sha256": digest,
            "size": len(data), "via": via})
    except audit.AuditUnavailable:
        path.unlink()  # never a package without its trace (AU1)
        raise
    return path.name, data, digest


def _new_path(folder, month):
    stamp = local(utcnow()).strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        path = folder / ("package-%s-%s%s.json" % (month, stamp, "-%d" % n if n else ""))
        if not path.exists():
            return path
    raise package.NotReady("报送包目录中同名文件过多：%s" % folder)


def stored():
    """The packages made, newest first: name, month, built (station time), size, SHA-256."""
    folder = packages_dir()
    found = []
    for path in folder.iterdir() if folder.is_dir() else ():
        match = NAME.match(path.name)
        if match and path.is_file():
            data = path.read_bytes()
            found.append({"name": path.name, "month": match.group(1), "size": len(data),
                          "built": "%s-%s-%s %s:%s:%s" % (match.group(2)[:4], match.group(2)[4:6], match.group(2)[6:8],
                                                          match.group(2)[9:11], match.group(2)[11:13],
                                                          match.group(2)[13:]),
                          "sha256": hashlib.sha256(data).hexdigest()})
    return sorted(found, key=lambda p: (p["built"], p["name"]), reverse=True)


def read(name):
    """The bytes of a kept package by its file name, or None (never a path outside the folder)."""
    if not NAME.match(name or ""):
        return None
    path = packages_dir() / name
    return path.read_bytes() if path.is_file() else None
