"""The province demo (`make province`, `flask province-demo`): 25 stations in 22 counties of all 9
prefectures, each generated as a small SQLite station (portal.demo, or seed_station.py for 云岩区) whose
24 monthly packages, January 2021 to December 2022, are built and signed with its own key by the real
exchange code; then each station is registered with its key and every package imported through the real
inbox code. Idempotent: packages already built, stations registered and packages received are reused."""
import hashlib
import json
import re
import secrets
from datetime import date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import create_app, db, demo
from ..accounts import passwords
from ..db import database
from ..exchange import archive
from ..exchange.signing import PackageError
from ..models import OrgUnit, Package, Setting, User
from . import receiving, seed_station
from .org import add_station, register_key

MONTHS = [date(2021 + m // 12, m % 12 + 1, 1) for m in range(24)]  # the seed compares 2021 with 2022
BUILT_AT = datetime(2023, 1, 9, 2, 0)  # the stations' clock (UTC) while they are generated and packaged
NAME = re.compile(r"^报送包-(\d{6}-\d{2})-(\d{4}-\d{2})\.json$")  # archive.download_name
SEED = "520103-01"  # 云岩区: its figures are the seed article's
ACCOUNTS = (("admin", "省局管理员（演示）", "province_admin"), ("viewer", "省局查看（演示）", "province_viewer"))
STATIONS = [  # (code, name, persons): 25 stations, 22 counties, 9 prefectures; sizes differ
    ("520102-01", "南明区新华路专地融合工作站", 60), ("520102-02", "南明区花果园专地融合工作站", 35),
    (SEED, "云岩区专地融合工作站", None), ("520111-01", "花溪区专地融合工作站", 25),
    ("520112-01", "乌当区专地融合工作站", 15), ("520113-01", "白云区专地融合工作站", 20),
    ("520201-01", "钟山区专地融合工作站", 45), ("520281-01", "盘州市专地融合工作站", 30),
    ("520302-01", "红花岗区中华路专地融合工作站", 55), ("520302-02", "红花岗区老城专地融合工作站", 20),
    ("520303-01", "汇川区专地融合工作站", 30), ("520382-01", "仁怀市专地融合工作站", 15),
    ("520402-01", "西秀区专地融合工作站", 40), ("520423-01", "镇宁布依族苗族自治县专地融合工作站", 12),
    ("520502-01", "七星关区洪山专地融合工作站", 50), ("520502-02", "七星关区市西专地融合工作站", 25),
    ("520526-01", "威宁彝族回族苗族自治县专地融合工作站", 30), ("520602-01", "碧江区专地融合工作站", 25),
    ("520628-01", "松桃苗族自治县专地融合工作站", 15), ("522301-01", "兴义市专地融合工作站", 45),
    ("522328-01", "安龙县专地融合工作站", 12), ("522601-01", "凯里市专地融合工作站", 40),
    ("522631-01", "黎平县专地融合工作站", 12), ("522701-01", "都匀市专地融合工作站", 35),
    ("522725-01", "瓮安县专地融合工作站", 15),
]


def file_name(code, first):
    return archive.download_name(code, "%04d-%02d" % (first.year, first.month))


def build_station(folder, code, name, persons, months):
    """Generate one station (its own SQLite file and key under folder/stations/<code>) and write its packages
    of `months` into folder/packages; skipped when they are all there already."""
    out = folder / "packages"
    out.mkdir(parents=True, exist_ok=True)
    if all((out / file_name(code, m)).exists() for m in months):
        return
    home = folder / "stations" / code
    home.mkdir(parents=True, exist_ok=True)
    for old in home.glob("portal.sqlite3*"):  # start the station's data again; it keeps its key (registered)
        old.unlink()
    app = create_app({"SECRET_KEY": secrets.token_hex(32), "DATABASE": str(home / "portal.sqlite3"),
                      "AUDIT_KEY_FILE": str(home / "audit.key"), "INSTANCE": "station", "DATABASE_URL": None,
                      "CLOCK": lambda: BUILT_AT, "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 8, "parallelism": 1}})
    with app.app_context():
        db.upgrade()
        with database.connection_context():
            with database.atomic():
                if persons is None:
                    seed_station.build(code, name)
                else:
                    demo.build(persons=persons, seed=int(code[:6] + code[-2:]))
                    Setting.replace(key="station.code", value=code).execute()
                    Setting.replace(key="station_name", value=name).execute()
            for first in months:
                _, data, _ = archive.make(first, via="cli")
                (out / file_name(code, first)).write_bytes(data)


def register(code, name, key):
    """The station under its county with its key; a station generated again with a new key: its new key."""
    station = OrgUnit.station(code)
    if station is None:
        add_station(OrgUnit.get(OrgUnit.code == code[:6], OrgUnit.level == "county"), code, name, key)
    elif station.public_key != key:
        register_key(station, key)


def receive_all(folder):
    """Import every package of the folder that is not the current one of its station and month (a rebuilt
    station's packages replace the earlier ones, as a resubmission); (received, already there)."""
    received = skipped = 0
    current = {(p.station.code, p.month): p.sha256 for p in Package.select(Package, OrgUnit).join(OrgUnit)
               .where(Package.superseded_by.is_null())}
    for path in sorted((folder / "packages").glob("*.json")):
        match, data = NAME.match(path.name), path.read_bytes()
        if match and current.get(match.groups()) == hashlib.sha256(data).hexdigest():
            skipped += 1
            continue
        try:
            receiving.receive(data, "cli", filename=path.name)
        except PackageError as exc:
            raise click.ClickException("%s：%s" % (path.name, exc))
        received += 1
    return received, skipped


def demo_accounts():
    for username, display, role in ACCOUNTS:
        if not User.select().where(User.username == username).exists():
            User.create(username=username, display_name=display, role=role, must_change_password=False,
                        password_hash=passwords.hash_password(demo.DEMO_PASSWORD))


def build(folder, stations=STATIONS, months=MONTHS, echo=lambda text: None):
    """The whole demo into the current province (its org tree loaded): stations, packages, import, accounts."""
    folder = Path(folder)
    url = current_app.config["DATABASE_URL"]
    for n, (code, name, persons) in enumerate(stations, start=1):
        build_station(folder, code, name, persons, months)
        echo("工作站 %d/%d：%s %s 的 %d 个月报送包已就绪。" % (n, len(stations), code, name, len(months)))
    db.open_postgres(url)  # the stations bound the database to their own files
    with database.connection_context():
        for code, name, _ in stations:
            data = json.loads((folder / "packages" / file_name(code, months[0])).read_bytes())
            register(code, name, data["key"])
        received, skipped = receive_all(folder)
        demo_accounts()
        if not Setting.select().where(Setting.key == "demo").exists():  # the 演示数据 banner
            Setting.create(key="demo", value="1")
    return received, skipped


@click.command("province-demo")
@with_appcontext
@click.option("--folder", default=None, help="演示工作站与报送包的目录（默认 instance/province-demo）")
def province_demo(folder):
    """Build the demo: 25 stations, 24 months of packages each, imported; demo accounts."""
    folder = folder or str(Path(current_app.instance_path) / "province-demo")
    received, skipped = build(folder, echo=click.echo)
    click.echo("演示数据已就绪：新导入报送包 %d 个，此前已导入 %d 个。演示账户 admin（省局管理员）、viewer（省局查看），"
               "密码 %s。演示期间为 2021年1月—2022年12月：请在汇总报表中选择 2021 或 2022 年。"
               % (received, skipped, demo.DEMO_PASSWORD))
