"""The org tree from the GB/T 2260 file shipped with the project (data/guizhou_gb2260.csv): the province,
its prefectures and counties. Stations are added under a county by the admin (org.py)."""
import csv
import re
from pathlib import Path

from ..dates import utcnow
from ..models import OrgUnit

DEFAULT_FILE = Path(__file__).parent / "data" / "guizhou_gb2260.csv"
CODE = re.compile(r"^\d{6}$")


class TreeFileError(Exception):
    """The file cannot be loaded; the message says where and why, in Chinese."""


def level_of(code):
    if code.endswith("0000"):
        return "province"
    return "prefecture" if code.endswith("00") else "county"


def parent_code(code):
    level = level_of(code)
    return None if level == "province" else code[:2] + "0000" if level == "prefecture" else code[:4] + "00"


def read(path=DEFAULT_FILE):
    """[(code, name)] of the file, checked: one province, every parent listed before its children."""
    rows, seen = [], set()
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    for number, row in enumerate(csv.DictReader(lines), start=2):
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        if not CODE.match(code) or not name:
            raise TreeFileError("第 %d 行：代码应为 6 位数字，名称不能为空（%s）。" % (number, ",".join(row.values())))
        parent = parent_code(code)
        if (parent is None and seen) or (parent is not None and parent not in seen):
            raise TreeFileError("第 %d 行：%s %s 的上级 %s 应当先列出（文件只能有一个省）。" % (number, code, name, parent))
        seen.add(code)
        rows.append((code, name))
    if not rows:
        raise TreeFileError("文件中没有行政区划。")
    return rows


def load(path=DEFAULT_FILE):
    """Add the units missing from the tree and rename the ones whose name changed; (added, renamed)."""
    units = {u.code: u for u in OrgUnit.select()}
    added = renamed = 0
    for code, name in read(path):
        unit = units.get(code)
        if unit is None:
            parent = units.get(parent_code(code)) if parent_code(code) else None
            units[code] = OrgUnit.create(code=code, name=name, level=level_of(code), parent=parent)
            added += 1
        elif unit.name != name:
            OrgUnit.update(name=name, updated_at=utcnow()).where(OrgUnit.id == unit.id).execute()
            renamed += 1
    return added, renamed
