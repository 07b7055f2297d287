"""The run-wide log check (logwatch.py): what counts as a leak, and that a leak fails a pytest run whose tests
all pass, while the same run without it succeeds."""
import random
import subprocess
import sys

from factories import ROOT, valid_id
from logwatch import Watch, demo_secrets, leaked

from portal import demo
from portal.demo import persons as demo_persons
from portal.models import Person


def test_every_person_a_demo_builds_is_caught(app):
    with app.app_context():
        demo.build(persons=12)
        built = [(p.name, p.id_number, p.phone) for p in Person.select()]
    pattern = Watch(demo_secrets()).pattern
    assert len(built) == 12  # 11 persons and one registered twice, with a mistyped (valid) ID number
    assert all(leaked(value, pattern) for person in built for value in person if value)
    assert {person[0] for person in built} <= demo_secrets() and "罗秀英" in demo_secrets()


def test_a_line_leaks_with_a_name_a_number_or_a_phone_of_the_demo_or_any_valid_id_number():
    rows = demo_persons.person_rows(random.Random(2026), 5)
    watch = Watch(demo_secrets())
    pattern = watch.pattern
    for value in (rows[1]["name"], rows[1]["id_number"], rows[1]["phone"], valid_id(male=True)):
        assert leaked("GET /persons/?q=%s 200" % value, pattern)
    number = valid_id(male=False)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")  # the check digit off by one: not an ID number
    assert not leaked("GET /persons/?q=%s 200" % wrong, pattern)
    assert not leaked("hash %s1" % number, pattern) and not leaked("ref a%s" % number, pattern)  # inside a token
    assert not leaked("database unavailable: database is locked (person 17)", pattern)
    assert leaked("罗秀英", pattern)


def run(folder, body):
    (folder / "conftest.py").write_text("from logwatch import pytest_configure, pytest_sessionfinish, "
                                        "pytest_terminal_summary  # noqa: F401\n")
    (folder / "test_planted.py").write_text("import logging\n\n\ndef test_logs():\n    %s\n" % body)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", "/dev/null",
                           "--rootdir", str(folder), str(folder)], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": "%s:%s" % (ROOT, ROOT / "tests"), "PATH": "/usr/bin:/bin"})


def test_a_log_line_naming_a_demo_person_fails_a_run_whose_tests_pass(tmp_path):
    name = demo_persons.person_rows(random.Random(2026), 3)[2]["name"]
    clean = run(tmp_path, "logging.getLogger('portal').info('opened person %d', 3)")
    assert clean.returncode == 0 and "1 passed" in clean.stdout, clean.stdout + clean.stderr
    planted = run(tmp_path, "logging.getLogger('portal').info('opened %%s', %r)" % name)
    assert planted.returncode == 1 and "1 passed" in planted.stdout, planted.stdout + planted.stderr
    assert "log lines naming a person" in planted.stdout and "portal INFO opened %s" % name in planted.stdout
