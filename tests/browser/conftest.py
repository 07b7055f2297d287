"""Browser fixtures: Debian's Chromium driven by Playwright (never a downloaded browser), and the real
app served on a free port with CSRF on. Every test below this folder carries the `browser` marker."""
import threading
from pathlib import Path

import pytest
from factories import make_person, make_user
from logwatch import QuietRequests
from steps import watched_page
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

HERE = Path(__file__).parent
CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, url, worker, persons):
        self.url = url
        self.worker = worker
        self.persons = persons


@pytest.fixture
def live_server(app):
    """The real app with CSRF on, a worker, three persons, served on a free port."""
    app.config["WTF_CSRF_ENABLED"] = True
    worker = make_user("worker", username="chenli", display_name="陈丽")
    other = make_user("worker", username="yangfang", display_name="杨芳")
    persons = {
        "张三": make_person("张三", worker=worker),
        "李四": make_person("李四", worker=worker),
        "王五": make_person("王五", worker=other),
    }
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequests)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer("http://127.0.0.1:%d" % server.server_port, worker, persons)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def page(browser, live_server):
    with watched_page(browser, live_server) as page:
        yield page


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
