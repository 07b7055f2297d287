"""Operator commands (flask --app portal): init-db, create-lead, demo-data, serve, sweep, retention, backup,
verify-backup, restore, station-key, report-package, rebuild-due-dates."""
import signal
import sys
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from . import audit, config, db
from .accounts import passwords
from .audit import anchors, chain
from .backup import make as backup
from .backup import restore as restoring
from .backup.manifest import backup_path, created_text, read_manifest
from .cases import after_release
from .dates import today
from .db import database
from .exchange import archive, package, signing
from .ledgers import imports
from .models import User
from .persons import retention
from .reports import due_store, printing
from .tracking import breaches


def register(app):
    if app.config["INSTANCE"] == "province":  # no person data, no station key: the province's own commands
        from .province import commands
        for command in (init_db, serve) + commands.COMMANDS:
            app.cli.add_command(command)
        return
    for command in (init_db, create_lead, demo_data, serve, sweep_command, retention_command, backup_command,
                    restore_command, verify_command, station_key, report_package, due_store.rebuild_command):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create the database, or upgrade it in place to the newest schema."""
    applied = db.upgrade()
    click.echo("数据库已是最新版本。" if not applied else "已应用迁移：" + ", ".join(applied))
    key = chain.key_path()
    if not key.exists():
        chain.ensure_key()
        click.echo("已生成审计密钥 %s（权限 0600）：请另行备份此文件，不要与数据库备份放在一起。" % key)
    anchor("init-db")
    if current_app.config["INSTANCE"] == "province":
        return
    with database.connection_context():
        if signing.load_key() is None:
            key = archive.station_key()
            click.echo("已生成工作站签名密钥（%s）。指纹：%s" % (signing.key_path(), signing.fingerprint(key)))


def anchor(source):
    """Append the audit trail's head to the anchor file; a failure is reported, never fatal."""
    try:
        with database.connection_context():
            entry = anchors.write(source)
    except (chain.KeyMissing, OSError) as exc:
        click.echo("审计日志锚定失败：%s" % exc, err=True)
        return None
    return entry


@click.command("station-key")
@with_appcontext
def station_key():
    """Make the station's Ed25519 signing key if missing; print its fingerprint for registration."""
    with database.connection_context():
        made = signing.load_key() is None
        key = archive.station_key()
    click.echo("%s：%s\n公钥指纹（SHA-256，请报省局登记）：%s" % (
        "已生成工作站签名密钥" if made else "工作站签名密钥已存在", signing.key_path(), signing.fingerprint(key)))


@click.command("report-package")
@with_appcontext
@click.option("--month", default=None, help="报送月份，如 2026-11（默认：上个月）")
def report_package(month):
    """Build and sign the station's monthly package (报送包) and keep it beside the database."""
    try:
        first = package.parse_month(month, today()) if month else package.last_month(today())
        with database.connection_context():
            name, data, digest = archive.make(first, via="cli")
    except (package.NotReady, audit.AuditUnavailable) as exc:
        raise click.ClickException(str(exc))
    payload = signing.verify(data)
    click.echo("报送包已生成：%s\n下载名 %s，%d 字节，SHA-256：%s" % (
        archive.packages_dir() / name, archive.download_name(payload["station"], payload["month"]), len(data), digest))


@click.command("create-lead")
@with_appcontext
@click.argument("username")
@click.option("--name", "display_name", default="站长", help="姓名")
def create_lead(username, display_name):
    """Create a station lead account and print its one-time password."""
    with database.connection_context():
        if User.select().where(User.username == username).exists():
            raise click.ClickException("用户名 %s 已存在。" % username)
        password = passwords.one_time_password()
        with database.atomic():
            user = User.create(username=username, display_name=display_name, role="lead",
                               password_hash=passwords.hash_password(password), must_change_password=True)
            audit.record("user.create", user, detail={"role": "lead", "via": "cli"})
    click.echo("已创建站长账户 %s。一次性密码（首次登录后必须修改）：%s" % (username, password))


@click.command("demo-data")
@with_appcontext
@click.option("--persons", default=120, show_default=True, help="生成的两社人员数量")
@click.option("--seed", default=2026, show_default=True)
def demo_data(persons, seed):
    """Fill an empty database with a believable demo station (accounts, persons, cases)."""
    from .demo import build

    db.upgrade()
    started = time.perf_counter()
    with database.connection_context():
        if User.select().exists():
            raise click.ClickException("数据库中已有账户，演示数据只能装入空数据库。")
        counts = build(persons=persons, seed=seed)
        archive.make(package.last_month(today()), via="cli")  # last month's 报送包, as the timer would have made it
    click.echo("演示数据已生成（%.1f 秒）：%s" % (time.perf_counter() - started,
                                          "，".join("%s %d" % kv for kv in counts.items())))


@click.command("serve")
@with_appcontext
@click.option("--host", default=None, help="默认 127.0.0.1")
@click.option("--port", default=None, type=int, help="默认 8000")
def serve(host, port):
    """Serve the portal with waitress (production server)."""
    cfg = current_app.config
    if db.pending():
        raise click.ClickException("数据库需要升级，请先运行 flask --app portal init-db。")
    station = cfg["INSTANCE"] != "province"  # the province has no persons and no batch prints
    opened = daily_checks()[0] if station else 0  # what time alone changed while stopped
    if opened:
        click.echo("启动检查：新登记严重违反协议 %d 起，请在今日待办中报告公安。" % opened)
    with database.connection_context():
        interrupted = printing.recover() if station else 0  # batch prints cut off by the stop: failed, deleted
    if interrupted:
        click.echo("启动检查：上次停止时未完成的批量打印 %d 个已标记为生成失败，未完成的文件已删除。" % interrupted)
    anchor("start")
    server = make_server(current_app._get_current_object(), host or cfg["HOST"],
                         cfg["PORT"] if port is None else port)  # --port 0: any free port
    click.echo("%s：http://%s:%s" % (
        config.PROVINCE_NAME if cfg["INSTANCE"] == "province" else "专地融合工作站平台",
        server.effective_host, server.effective_port), nl=True)
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, _stop)  # systemctl stop: leave through the finally below
    try:
        server.run()  # returns after SIGINT/SIGTERM, once waitress has closed
    finally:
        anchor("shutdown")  # the trail's head at shutdown, outside the database
        click.echo("服务已停止，审计日志末条已锚定。")


def _stop(signum, frame):
    raise SystemExit(0)


@click.command("sweep")
@with_appcontext
def sweep_command():
    """What time alone causes, daily (a timer) and at start-up: serious breaches, sealed files."""
    opened, sealed = daily_checks()
    click.echo("每日检查完成：新登记严重违反协议 %d 起，解除动态管控封存档案 %d 份。" % (opened, sealed))
    click.echo("删除过期的导入文件 %d 个。" % imports.expire_uploads())
    entry = anchor("daily")
    if entry:
        click.echo("审计日志已锚定：共 %d 条，末条第 %d 条。" % (entry["rows"], entry["id"]))


@click.command("retention")
@with_appcontext
def retention_command():
    """Anonymise the sealed files past the station's retention age (设置：封存后保存年限)."""
    with database.connection_context():
        done = retention.run()
    click.echo("保存期限检查完成：封存满 %d 年的档案已匿名化 %d 份。" % (retention.years(), done))


def daily_checks():
    """Open the serious breaches an absence running past 30 days has caused; seal the files whose
    dynamic control has ended. Returns how many of each."""
    with database.connection_context():
        return breaches.sweep(), after_release.seal_ended()


SWITCH_INTERVAL = 0.001  # seconds a server thread runs Python before another may (Python's default: 0.005)


def make_server(app, host, port):
    """The production waitress server; it announces no name or version (W4). Its threads hand Python's
    lock on every SWITCH_INTERVAL instead of every 5 ms: a thread back from SQLite (a save holding the
    write lock, which every other save waits for) waits less behind the threads that render. The proxy's
    X-Forwarded-* headers reach the app, which believes them from TRUSTED_PROXIES only (web/serving.py):
    waitress would otherwise strip them, and the audit and the login limits would see the proxy's address."""
    from waitress import create_server

    sys.setswitchinterval(SWITCH_INTERVAL)
    return create_server(app, host=host, port=port, threads=app.config["THREADS"], ident="",
                         clear_untrusted_proxy_headers=False)


@click.command("backup")
@with_appcontext
@click.option("--dest", type=click.Path(file_okay=False), default=None, help="备份目录（默认为数据库旁的 backups/）")
def backup_command(dest):
    """Back up the database (SQLite online backup API) and uploads, check the copy, rotate old ones."""
    try:
        with database.connection_context():
            made = backup.make_backup(dest)
    except (backup.BackupError, audit.AuditUnavailable) as exc:
        raise click.ClickException(str(exc))
    manifest = made["manifest"]
    click.echo("备份完成：%s\n大小 %s，%d 张表共 %d 行，附件 %d 个；完整性检查通过。\nSHA-256：%s" % (
        made["path"], backup.human_size(manifest["size"]), len(manifest["tables"]), sum(manifest["tables"].values()),
        len(manifest["uploads"]), manifest["sha256"]))
    if made["removed"]:
        click.echo("按保留份数删除了 %d 份旧备份。" % len(made["removed"]))


@click.command("verify-backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--other-key", is_flag=True,
              help="备份由另一密钥签名（如在新装的电脑上恢复、原 instance/config.py 已丢失）：不核对签名，其余照常校验")
def verify_command(path, other_key):
    """Check a backup against its manifest: signature, hash, integrity_check, row counts, uploads."""
    problems = restoring.verify(path, other_key)
    if problems:
        raise click.ClickException("备份校验未通过：\n" + "\n".join("- " + p for p in problems))
    manifest = read_manifest(backup_path(path))
    click.echo("校验通过：%s（%s 创建）。SHA-256 一致，完整性检查 ok，%d 张表行数与清单一致，附件 %d 个一致。" % (
        path, created_text(manifest), len(manifest["tables"]), len(manifest["uploads"])))


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="不再询问确认")
@click.option("--other-key", is_flag=True,
              help="备份由另一密钥签名（如在新装的电脑上恢复、原 instance/config.py 已丢失）：不核对签名，其余照常校验")
def restore_command(path, yes, other_key):
    """Restore a verified backup over the live database, after backing up the current one."""
    problems = restoring.verify(path, other_key)
    if problems:
        raise click.ClickException("备份校验未通过，拒绝恢复：\n" + "\n".join("- " + p for p in problems))
    manifest = read_manifest(backup_path(path))
    click.echo("备份 %s 校验通过（创建于 %s，%d 张表共 %d 行）。" % (
        path, created_text(manifest), len(manifest["tables"]), sum(manifest["tables"].values())))
    if not yes:
        click.confirm("将用此备份覆盖当前数据库 %s（恢复前会先自动备份当前数据库）。确定恢复吗？"
                      % current_app.config["DATABASE"], abort=True)
    try:
        with database.connection_context():
            done = restoring.restore(path, other_key)
    except (backup.BackupError, audit.AuditUnavailable) as exc:
        raise click.ClickException(str(exc))
    if done["safety_backup"]:
        click.echo("恢复前的数据库已备份到：%s" % done["safety_backup"])
    click.echo("恢复完成，放回附件 %d 个。" % done["uploads"])
    if db.pending():
        click.echo("此备份的数据库结构较旧，请运行 flask --app portal init-db 升级后再启动服务。")
