"""Owner-only files (owner_only.py): whatever the operator's umask, every file the portal makes is 0600
and every folder 0700: database, WAL, uploads, imports, print jobs, backups."""
import os
import stat
import subprocess
import sys
import time

from factories import make_person

from portal import create_app


def flask(env, *args):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "portal", *args], env=env,
                          capture_output=True, text=True, timeout=300, preexec_fn=lambda: os.umask(0o022))


def modes(root):
    """(path, mode) of everything under root."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            found.append((os.path.relpath(path, root), stat.S_IMODE(os.lstat(path).st_mode), os.path.isdir(path)))
    return found


def test_cli_commands_make_owner_only_files_under_a_lax_umask(tmp_path):
    station = tmp_path / "station"
    station.mkdir(mode=0o755)
    env = {**os.environ, "PORTAL_SECRET_KEY": "s" * 48, "PORTAL_DATABASE": str(station / "portal.sqlite3"),
           "PORTAL_ARGON2_PARAMS": '{"time_cost": 1, "memory_cost": 8, "parallelism": 1}'}
    for args in (["init-db"], ["demo-data", "--persons", "4"], ["backup"]):
        done = flask(env, *args)
        assert done.returncode == 0, done.stderr
    found = modes(station)
    names = {path for path, _, _ in found}
    assert {"portal.sqlite3", "backups", "uploads"} <= names
    assert any(path.startswith("uploads/") and not is_dir for path, _, is_dir in found)  # demo attachments
    assert any(path.endswith(".manifest.json") for path in names)
    for path, mode, is_dir in found:
        assert mode == (0o700 if is_dir else 0o600), (path, oct(mode))


def test_what_an_older_version_left_readable_is_tightened(tmp_path, app_config):
    database = tmp_path / "portal.sqlite3"
    database.write_bytes(b"")
    os.chmod(database, 0o644)
    (tmp_path / "uploads").mkdir(mode=0o755)
    os.chmod(tmp_path / "uploads", 0o755)
    create_app(app_config)
    assert stat.S_IMODE(os.stat(database).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "uploads").st_mode) == 0o700
    assert os.umask(0o077) == 0o077


def test_print_jobs_and_imports_are_owner_only(app, client, users, login_as, tmp_path):
    assert os.umask(0o077) == 0o077  # set by create_app, as serve's start-up does
    make_person("张三", worker=users["lead"])
    login_as("lead")
    response = client.post("/print/", data={"profile": "full", "sections": ["identity"], "measure": "",
                                            "status": "current", "worker": "0", "output": "zip"})
    assert response.status_code == 302, response.text
    for _ in range(100):
        if "下载" in client.get(response.headers["Location"]).get_data(as_text=True):
            break
        time.sleep(0.1)
    found = modes(tmp_path)
    assert any(path.startswith("print-jobs") for path, _, _ in found)
    for path, mode, is_dir in found:
        assert mode == (0o700 if is_dir else 0o600), (path, oct(mode))
