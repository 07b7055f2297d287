"""`make upgrade` (scripts/install.py upgrade): a backup, the running release's code set aside while the new one is
tried, and put back with the backup restored when the new one's migration fails. Standard library only, like
install.py."""
import shutil
import subprocess
from pathlib import Path

from install_code import CODE, copy_code, pip_install
from install_database import done, flask_runner
from install_files import STATION
from install_machine import on_machine, paths, systemd_running


def release_aside(prefix, code):
    """The running release's code moved to prefix/.previous (replacing an older one kept there)."""
    previous = prefix / ".previous"
    if previous.exists():
        shutil.rmtree(previous)
    previous.mkdir()
    for name in code:
        if (prefix / name).exists():
            (previous / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(prefix / name), str(previous / name))
    return previous


def release_back(prefix, previous, code):
    """The code kept by release_aside in place again, the failed release's code gone."""
    for name in code:
        target = prefix / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        if (previous / name).exists():
            shutil.move(str(previous / name), str(target))
    shutil.rmtree(previous)


def backup_file(output):
    """The file `flask backup` made: its first line is 备份完成：<path>."""
    return output.splitlines()[0].split("：", 1)[1].strip()


def upgrade(args):
    """Back up, stop, put the new release's code and requirements in place, migrate, start. A migration that
    fails puts the previous release's code back, restores the backup with it and starts it again."""
    where = paths(args)
    prefix, live = where["prefix"], on_machine(args)
    run = flask_runner(args, STATION, prefix)
    if run is None:
        raise SystemExit("--root 时须以 --flask 指定运行数据库步骤的 flask。")

    def service(action):
        if live and systemd_running():
            subprocess.run(["systemctl", action, "%s.service" % STATION.unit], check=False)

    def pip():
        if live:
            pip_install(prefix)

    made = backup_file(done("升级前备份", run("backup")))
    service("stop")
    previous = release_aside(prefix, CODE)
    copy_code(prefix, Path(args.source))
    pip()
    migrated = run("init-db")
    if migrated.returncode:
        release_back(prefix, previous, CODE)
        pip()
        restored = run("restore", "--yes", made)
        service("start")
        print("迁移失败，已恢复原版本的程序，并从升级前的备份恢复数据库：%s\n%s\n迁移的报错：%s" % (
            made, restored.stdout.strip() or restored.stderr.strip(), migrated.stderr.strip()))
        return 1
    shutil.rmtree(previous)
    service("start")
    print("升级完成（升级前的备份：%s），服务已重新启动。\n%s" % (made, migrated.stdout.strip()))
    return 0
