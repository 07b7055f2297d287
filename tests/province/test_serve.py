"""The province is served by `flask serve` from its own config file (PORTAL_CONFIG), as `make province` runs it."""
import os
import re
import subprocess
import sys

from factories import page_answers


def test_the_province_serves_from_its_own_config_file(postgres, tmp_path):
    config = tmp_path / "province.py"
    config.write_text("\n".join([
        'INSTANCE = "province"', "DATABASE_URL = %r" % postgres.createdb(), "DATABASE = %r" % str(tmp_path / "p.db"),
        "AUDIT_KEY_FILE = %r" % str(tmp_path / "audit.key"), 'SECRET_KEY = "%s"' % ("s" * 48)]), encoding="utf-8")
    env = {**os.environ, "PORTAL_CONFIG": str(config)}
    flask = [sys.executable, "-m", "flask", "--app", "portal"]
    init = subprocess.run(flask + ["init-db"], env=env, capture_output=True, text=True, timeout=60)
    assert init.returncode == 0 and "0001_core" in init.stdout, init.stderr
    server = subprocess.Popen(flask + ["serve", "--port", "0"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert "省级汇总平台" in line, server.stderr.read() if server.poll() is not None else line
        port = re.search(r":(\d+)", line).group(1)
        assert page_answers(port, "登录"), "the province did not answer"
    finally:
        server.terminate()
        server.wait(10)
    missing = subprocess.run(flask + ["init-db"], env={**env, "PORTAL_CONFIG": str(tmp_path / "none.py")},
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0  # a config named but missing is never silently replaced by instance/config.py
