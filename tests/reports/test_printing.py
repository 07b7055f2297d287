"""Batch printing after a stop or crash (printing.recover/settle): running jobs fail with a Chinese
reason, their partial files are deleted, and the list and the job page agree."""
import os
import re
import socket
import sqlite3
import subprocess
import sys

from factories import in_app

from portal.models import PrintJob
from portal.reports import printing


@in_app
def running_job(user, file_name="a" * 32, done=3):
    return PrintJob.create(user=user.id, profile="full", sections="identity", output="zip",
                           person_ids="1,2,3,4,5", total=5, done=done, file_name=file_name)


def partial(app, job):
    os.makedirs(app.config["PRINT_DIR"], exist_ok=True)
    path = os.path.join(app.config["PRINT_DIR"], job.file_name + ".part")
    with open(path, "wb") as f:
        f.write(b"PK partial zip of full case summaries")
    return path


def test_recover_fails_running_jobs_and_deletes_their_partial_files(app, users):
    cut = running_job(users["officer"])
    path = partial(app, cut)
    finished = in_app(lambda: PrintJob.create(user=users["officer"].id, profile="full", sections="identity",
                                              output="zip", person_ids="1", total=1, done=1, status="done",
                                              file_name="b" * 32))()
    kept = partial(app, finished)[:-len(".part")]
    os.rename(kept + ".part", kept)
    assert in_app(printing.recover)() == 1
    job = in_app(PrintJob.get_by_id)(cut.id)
    assert job.status == "failed" and job.error == "服务重启，生成中断" and job.finished_at is not None
    assert not os.path.exists(path)
    assert in_app(PrintJob.get_by_id)(finished.id).status == "done" and os.path.exists(kept)  # finished stays
    assert in_app(printing.recover)() == 0


def test_the_list_and_the_job_page_agree_on_a_job_whose_thread_is_gone(app, client, users, login_as):
    login_as("officer")
    job = running_job(users["officer"])
    path = partial(app, job)
    listing = client.get("/print/").get_data(as_text=True)  # the list first: it settles the job itself
    assert "正在生成" not in listing and "生成失败（服务曾重启，生成中断）" in listing
    assert not os.path.exists(path)
    page = client.get("/print/%d" % job.id, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "服务曾重启" in page and "every 1s" not in page


def test_serve_recovers_interrupted_jobs_at_start_up(tmp_path):
    env = {**os.environ, "PORTAL_SECRET_KEY": "s" * 48, "PORTAL_DATABASE": str(tmp_path / "portal.sqlite3")}
    flask = [sys.executable, "-m", "flask", "--app", "portal"]
    subprocess.run(flask + ["init-db"], env=env, check=True, capture_output=True, timeout=60)
    raw = sqlite3.connect(env["PORTAL_DATABASE"])
    raw.execute("INSERT INTO user (username, display_name, role, password_hash, password_changed_at, must_change_password, failed_logins, is_active, created_at) VALUES ('o', 'o', 'officer', 'x', '2026-11-20', 0, 0, 1, '2026-11-20')")
    raw.execute("INSERT INTO print_job (user_id, profile, sections, output, person_ids, total, done, status, "
                "file_name, created_at) VALUES (1, 'full', 'identity', 'zip', '1,2', 2, 1, 'running', ?, "
                "'2026-11-20 02:00:00')", ("c" * 32,))
    raw.commit()
    raw.close()
    (tmp_path / "print-jobs").mkdir()
    part = tmp_path / "print-jobs" / ("c" * 32 + ".part")
    part.write_bytes(b"partial")
    busy = socket.create_server(("127.0.0.1", 0))
    env["PORTAL_PORT"] = str(busy.getsockname()[1])
    server = subprocess.Popen(flask + ["serve", "--port", "0"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        lines = [server.stdout.readline() for _ in range(2)]
    finally:
        server.terminate()
        server.wait(timeout=10)
        busy.close()
    assert "未完成的批量打印 1 个已标记为生成失败" in lines[0], lines
    assert re.search(r":\d+", lines[1])
    assert not part.exists()
    raw = sqlite3.connect(env["PORTAL_DATABASE"])
    assert raw.execute("SELECT status, error FROM print_job").fetchone() == ("failed", "服务重启，生成中断")
