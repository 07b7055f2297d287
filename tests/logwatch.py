"""No log line of a test run names a person (issue 20): every record logged at INFO or above while pytest runs
(the portal's own loggers, Flask's, waitress's, werkzeug's, the CLI's) is read as it is emitted, traceback
included, and matched against the demo station's persons (their names, ID numbers and phones, as the demo
generator makes them for its default seed) and against any ID number at all (a birth date and the check
digit). A match fails the run: the session's exit status becomes "tests failed" and the offending lines are
printed at the end. The hooks are imported by tests/conftest.py, so they run for the whole suite and for
any part of it; the test servers log no request line (QuietRequests), as waitress logs none in service."""
import inspect
import logging
import random
import re
from datetime import date

import pytest
from stdnum.cn import ric
from werkzeug.serving import WSGIRequestHandler

from portal import demo
from portal.demo import persons as demo_persons

DEMO_PERSONS = 150  # the most any test or `make demo` builds; a smaller demo's persons are the first of these
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
SHOWN = 20  # offending lines printed at the end


def demo_secrets(persons=DEMO_PERSONS):
    """The names, ID numbers and phones of the demo's persons, drawn as demo.build draws them: the persons are
    the first thing its seeded generator makes, so the first n of these are the persons of any n-person demo."""
    seed = inspect.signature(demo.build).parameters["seed"].default
    rows = demo_persons.person_rows(random.Random(seed), persons)
    found = {row[key] for row in rows for key in ("name", "id_number", "phone") if row.get(key)}
    return found | {"罗雨涵"}  # the story's daughter (demo_persons.family_rows)


class Watch(logging.Handler):
    """Reads every record as it is emitted and keeps the lines that carry personal data."""

    def __init__(self, secrets):
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.pattern = re.compile("|".join(sorted(map(re.escape, secrets), key=len, reverse=True)))
        self.read, self.leaks = 0, []

    def emit(self, record):
        try:
            line = self.format(record)
        except Exception:  # a record that cannot be formatted is logging's own error, not a leak
            return
        self.read += 1
        if leaked(line, self.pattern):
            self.leaks.append(line)


def id_number(text):
    """18 characters with a birth date and the check digit of a resident ID number (the place is not checked:
    the demo's and the factories' places are not all in stdnum's list)."""
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return 1900 <= int(text[6:10]) <= 2100 and ric.calc_check_digit(text) == text[-1].upper()


def leaked(line, pattern):
    """A demo person's name, number or phone, or any ID number, in the line."""
    return bool(pattern.search(line)) or any(id_number(number) for number in ID_NUMBER.findall(line))


class QuietRequests(WSGIRequestHandler):
    """A test server's requests unlogged, as waitress logs none in service (werkzeug's line quotes the query)."""

    def log_request(self, code="-", size="-"):
        pass


WATCH = {}


def pytest_configure(config):
    watch = Watch(demo_secrets())
    root = logging.getLogger()
    WATCH.update(handler=watch, level=root.level)
    root.addHandler(watch)
    root.setLevel(min(root.level or logging.WARNING, logging.INFO))  # INFO records are logged, as in service


def pytest_sessionfinish(session):
    watch = WATCH.get("handler")
    if watch is None:
        return
    logging.getLogger().removeHandler(watch)
    if watch.leaks and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    watch = WATCH.get("handler")
    if watch is None or not watch.leaks:
        return
    terminalreporter.section("log lines naming a person", red=True)
    terminalreporter.write_line("%d of %d log lines carry a demo person's name, ID number or phone:"
                                % (len(watch.leaks), watch.read), red=True)
    for line in watch.leaks[:SHOWN]:
        terminalreporter.write_line("  " + line.replace("\n", "\n    "))
