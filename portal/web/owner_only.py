"""Owner-only files (issue 17, item 10): the database, its WAL, uploads, imports, print jobs and
backups hold every person's data, so no other local account may read them. The portal runs with
umask 077 from start-up (serve and every CLI command build the app here), and what an older
version left readable is tightened once at start."""
import os
import stat

UMASK = 0o077
FOLDERS = ("uploads", "imports", "print-jobs", "backups")  # beside the database


def init_app(app):
    os.umask(UMASK)
    database = app.config["DATABASE"]
    for path in (database, database + "-wal", database + "-shm"):
        _restrict(path, 0o600)
    for path in {os.path.join(os.path.dirname(database), name) for name in FOLDERS} | {app.config["PRINT_DIR"]}:
        _restrict(path, 0o700)


def _restrict(path, mode):
    """Take group and other access away from a path we own (a folder: only the folder itself, its
    files were made under the same rule or are tightened when rewritten)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(path, mode)
