"""The province's operator commands: province-init (the org tree from the GB/T 2260 file), create-admin,
import-packages (a folder of package files)."""
from pathlib import Path

import click
from flask.cli import with_appcontext

from .. import audit
from ..accounts import passwords
from ..db import database
from ..models import User
from . import gb2260, importing
from .demo import province_demo


@click.command("province-init")
@with_appcontext
@click.option("--file", "path", default=str(gb2260.DEFAULT_FILE), show_default=True, help="GB/T 2260 代码文件")
def province_init(path):
    """Load the org tree (province, prefectures, counties) from the shipped GB/T 2260 file."""
    try:
        with database.connection_context(), database.atomic():
            added, renamed = gb2260.load(path)
            audit.record("org.load", object_type="org_unit", detail={"file": Path(path).name, "added": added,
                                                                       "renamed": renamed})
    except (gb2260.TreeFileError, OSError) as exc:
        raise click.ClickException(str(exc))
    click.echo("组织机构已载入：新增 %d 个，更名 %d 个。" % (added, renamed))


@click.command("create-admin")
@with_appcontext
@click.argument("username")
@click.option("--name", "display_name", default="省局管理员", help="姓名")
def create_admin(username, display_name):
    """Create a province admin account and print its one-time password."""
    with database.connection_context():
        if User.select().where(User.username == username).exists():
            raise click.ClickException("用户名 %s 已存在。" % username)
        password = passwords.one_time_password()
        with database.atomic():
            user = User.create(username=username, display_name=display_name, role="province_admin",
                               password_hash=passwords.hash_password(password), must_change_password=True)
            audit.record("user.create", user, detail={"role": "province_admin", "via": "cli"})
    click.echo("已创建省局管理员账户 %s。一次性密码（首次登录后必须修改）：%s" % (username, password))


@click.command("import-packages")
@with_appcontext
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16),
              help="同时导入的进程数（各用一个数据库连接）")
def import_packages(folder, workers):
    """Verify and import every *.json package of a folder; each refused file with its reason."""
    files = sorted(Path(folder).glob("*.json"))
    if not files:
        raise click.ClickException("%s 中没有 .json 报送包文件。" % folder)
    items = [(path.name, path) for path in files]
    if workers > 1:
        results = importing.receive_all(items, workers)
    else:
        with database.connection_context():
            results = importing.receive_all(items)
    refused = 0
    for name, station, month, replaced, reason in results:
        if reason is not None:
            refused += 1
            click.echo("拒收 %s：%s" % (name, reason))
        else:
            click.echo("已接收 %s：%s %s%s" % (name, station, month, "（替换此前收到的版本）" if replaced else ""))
    click.echo("共 %d 个文件：接收 %d 个，拒收 %d 个。" % (len(files), len(files) - refused, refused))
    if refused:
        raise SystemExit(1)


COMMANDS = (province_init, create_admin, import_packages, province_demo)
