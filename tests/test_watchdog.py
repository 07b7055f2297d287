"""The watchdog the install sets up (scripts/install_files.py): each minute its unit's own command asks /healthz
and restarts the portal's service when the answer is not 200 within 10 s: a portal that answers 503, one that
is gone, one that accepts and never answers. The command runs here as systemd would run it (/bin/sh), with a
`systemctl` on its PATH that writes down what it was asked."""
import re
import socket
import subprocess
import sys
import threading

import pytest
from factories import ROOT
from logwatch import QuietRequests
from werkzeug.serving import make_server

sys.path.insert(0, str(ROOT / "scripts"))
import install_files  # noqa: E402

UNIT = "portal"


def watchdog(port):
    """The watchdog unit's ExecStart and its timer, for a portal on `port`."""
    kind = install_files.Kind("station", UNIT, port, install_files.STATION.title, install_files.JOBS, "12m")
    made = install_files.units("/opt/portal", kind)
    timer = made["portal-watchdog.timer"]
    assert "OnCalendar=*-*-* *:*:00" in timer and "WantedBy=timers.target" in timer
    return re.search(r"^ExecStart=/bin/sh -c '(.*)'$", made["portal-watchdog.service"], re.M).group(1)


def checked(tmp_path, port):
    """Run the watchdog once; what it asked systemctl."""
    stub = tmp_path / "bin"
    stub.mkdir(exist_ok=True)
    (stub / "systemctl").write_text('#!/bin/sh\necho "$@" >> %s/asked\n' % tmp_path)
    (stub / "systemctl").chmod(0o755)
    subprocess.run(["/bin/sh", "-c", watchdog(port)], env={"PATH": "%s:/usr/bin:/bin" % stub}, timeout=30)
    asked = tmp_path / "asked"
    return asked.read_text().splitlines() if asked.exists() else []


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequests)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def test_a_healthy_portal_is_left_alone_and_an_unavailable_one_restarted(app, served, tmp_path):
    assert checked(tmp_path, served) == []
    app.config["HEALTH_MIN_FREE_BYTES"] = 2 ** 62  # /healthz answers 503 (tests/test_health.py)
    assert checked(tmp_path, served) == ["restart %s.service" % UNIT]


def test_a_portal_that_is_gone_or_hangs_is_restarted(tmp_path):
    with socket.socket() as gone:
        gone.bind(("127.0.0.1", 0))  # a port no one listens on
        assert checked(tmp_path, gone.getsockname()[1]) == ["restart %s.service" % UNIT]
    with socket.socket() as hung:  # connections are accepted by the kernel, never answered
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)
        assert checked(tmp_path, hung.getsockname()[1]) == ["restart %s.service" % UNIT] * 2
