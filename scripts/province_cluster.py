"""The demo province's database for `make province`: a PostgreSQL cluster kept under instance/province-pg
(started again when stopped, as the `postgres` user when run as root), its database `province`, and the
province's own config, instance/province/config.py (written once, with a random key). `--stop` stops the cluster.
The Makefile then runs the flask commands with PORTAL_CONFIG pointing at that config."""
import argparse
import os
import pathlib
import secrets
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.province.cluster import Cluster  # noqa: E402 (after the path above)

PG_DIR = ROOT / "instance" / "province-pg"
HOME = ROOT / "instance" / "province"
CONFIG = HOME / "config.py"
PORT = int(os.environ.get("PROVINCE_PG_PORT", "55432"))
TEMPLATE = '''# The demo province (make province): PORTAL_CONFIG=%(path)s flask --app portal …
INSTANCE = "province"
DATABASE_URL = %(url)r
DATABASE = %(home)r  # no SQLite file on a province: the audit anchors and backups are kept beside this name
AUDIT_KEY_FILE = %(key)r
SECRET_KEY = %(secret)r
STATION_NAME = "贵州省戒毒管理局 · 专地融合省级汇总平台（演示）"
PORT = 8001
'''


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stop", action="store_true", help="stop the demo cluster")
    args = parser.parse_args()
    cluster = Cluster(PG_DIR, PORT)
    if args.stop:
        cluster.stop(remove=False)
        print("已停止演示省级数据库（%s）。" % PG_DIR)
        return 0
    cluster.start(fsync=True)
    url = cluster.createdb("province")
    if not CONFIG.exists():
        HOME.mkdir(mode=0o700, parents=True, exist_ok=True)
        CONFIG.write_text(TEMPLATE % {"path": CONFIG, "url": url, "home": str(HOME / "province.db"),
                                      "key": str(HOME / "audit.key"), "secret": secrets.token_urlsafe(48)},
                          encoding="utf-8")
        CONFIG.chmod(0o600)
        print("已生成省级演示配置 %s。" % CONFIG)
    print("演示省级数据库：%s（目录 %s）。" % (url, PG_DIR))
    return 0


if __name__ == "__main__":
    sys.exit(main())
