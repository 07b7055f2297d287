"""The docs in docs/ keep up with the code (after Datasette's test_settings_are_documented).

Every permission and every audit action the code has is documented, and the docs name none the
code lacks. Both are read from the source text with `ast`, not by importing the app, so these
tests need no database and still run while a module is being moved.
"""
import ast
import re
from pathlib import Path

import pytest


def repo_root():
    """The directory that holds portal/, walking up from this file (the test may move down a level)."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "portal" / "permissions.py").is_file():
            return folder
    raise RuntimeError("no portal/ above %s" % __file__)


ROOT = repo_root()
PORTAL = ROOT / "portal"
DOCS = ROOT / "docs"
ROLES = ("lead", "officer", "worker", "counsellor", "volunteer", "province_admin", "province_viewer")
RECORD_KINDS = ("talk", "visit", "risk", "screening", "absence")
RECORD_ACTIONS = sorted("%s.%s" % (kind, verb) for kind in RECORD_KINDS
                        for verb in ("create", "view", "update", "delete"))
ACTION = re.compile(r"^[a-z_]+(\.[a-z_]+)?$")  # "person.view", and the sign-in ones: "login_failed"
DOTTED = re.compile(r"^[a-z_]+\.[a-z_]+$")
RECORDERS = {"record", "record"}  # the action is the first argument
TAKES_ACTION = {"save_versioned", "soft_delete", "list_page"}  # the action is a positional "a.b" string


def sources():
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sorted(PORTAL.rglob("*.py"))}


SOURCES = sources()


def calls(name_set):
    """(path, Call node) of every call of a function or method named in name_set."""
    for path, tree in SOURCES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name in name_set:
                    yield path, name, node


def text(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def evaluate(node, names):
    """A module-level literal of permissions.py: strings, sets of roles, frozenset(...), names, dicts."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, (ast.Set, ast.Tuple, ast.List)):
        return frozenset(evaluate(e, names) for e in node.elts)
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("frozenset", "set") and len(node.args) == 1:
        return frozenset(evaluate(node.args[0], names))
    if isinstance(node, ast.Dict):
        return {evaluate(k, names): evaluate(v, names) for k, v in zip(node.keys, node.values)}
    raise ValueError("cannot read %s" % ast.dump(node))


def read_matrix():
    names = {}
    for statement in SOURCES[PORTAL / "permissions.py"].body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                and isinstance(statement.targets[0], ast.Name):
            try:
                names[statement.targets[0].id] = evaluate(statement.value, names)
            except (KeyError, ValueError):
                continue
    return names["MATRIX"]


def code_actions():
    """Every audit action written with a literal string, with where it is written."""
    found = {}
    for path, name, node in calls(RECORDERS | TAKES_ACTION):
        if name in RECORDERS:
            candidates = [text(node.args[0])] if node.args else []
            pattern = ACTION
        else:  # never the detail dicts: those are keyword arguments
            candidates = [text(arg) for arg in node.args]
            pattern = DOTTED
        candidates += [text(kw.value) for kw in node.keywords if kw.arg == "action"]
        for action in candidates:
            if action and pattern.match(action):
                found.setdefault(action, []).append("%s:%d" % (path.relative_to(ROOT), node.lineno))
    return found


def doc(name):
    return (DOCS / name).read_text(encoding="utf-8")


def backticked(markdown):
    return set(re.findall(r"`([^`\n]+)`", markdown))


def table_rows(markdown, first_header):
    """The rows (lists of cells) of every table whose first header cell is `first_header`."""
    rows, header = [], None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif header[0] == first_header and not set(cells[0]) <= set("-: "):
            rows.append(dict(zip(header, cells)))
    return rows


MATRIX = read_matrix()
ACTIONS = code_actions()


# --- permissions -------------------------------------------------------------------------------

def documented_permissions():
    """permission -> the roles ticked for it in docs/roles.md (a station's table and the province's)."""
    table = {}
    for row in table_rows(doc("roles.md"), "permission"):
        name = re.fullmatch(r"`([^`]+)`", row["permission"]).group(1)
        table[name] = table.get(name, set()) | {role for role in ROLES for header, cell in row.items()
                       if header.split()[0] == role and "✓" in cell}
    return table


def test_matrix_was_read():
    assert len(MATRIX) > 20 and {"persons.read", "audit.read"} <= set(MATRIX)


@pytest.mark.parametrize("permission", sorted(MATRIX))
def test_permission_is_documented(permission):
    assert "`%s`" % permission in doc("roles.md")


@pytest.mark.parametrize("permission", sorted(MATRIX))
def test_documented_roles_match_the_matrix(permission):
    assert documented_permissions().get(permission) == set(MATRIX[permission])


def test_roles_doc_lists_no_unknown_permission():
    assert set(documented_permissions()) - set(MATRIX) == set()


def test_required_permissions_are_in_the_matrix():
    required = {}
    for path, _, node in calls({"requires"}):
        if node.args and text(node.args[0]):
            required.setdefault(text(node.args[0]), []).append("%s:%d" % (path.relative_to(ROOT), node.lineno))
    assert len(required) > 15, "found too few @requires(...): %s" % sorted(required)
    assert {name: where for name, where in required.items() if name not in MATRIX} == {}


def test_checked_permissions_are_in_the_matrix():
    """can(user, "x") in Python and may('x') in templates name permissions of the matrix."""
    checked = {text(node.args[1]) for _, _, node in calls({"can"}) if len(node.args) > 1}
    checked |= {text(node.args[0]) for _, _, node in calls({"may"}) if node.args}
    for template in (PORTAL / "templates").rglob("*.html"):
        checked |= set(re.findall(r"""\bmay\(\s*['"]([^'"]+)['"]\s*\)""", template.read_text(encoding="utf-8")))
    checked.discard(None)
    assert "counselling.read" in checked
    assert checked - set(MATRIX) == set()


# --- audit actions -----------------------------------------------------------------------------

def documented_actions():
    """The actions listed in the first column of docs/audit.md's action tables."""
    return {name for row in table_rows(doc("audit.md"), "action") for name in backticked(row["action"])}


def test_action_extraction_finds_the_audit_calls():
    """Guards the tests below against passing on an empty extraction."""
    assert len(ACTIONS) > 40
    assert {"person.view", "login", "login_failed", "backup.create", "ledger.dry_run", "person.update",
            "talk.list"} <= set(ACTIONS)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_audit_action_is_documented(action):
    assert "`%s`" % action in doc("audit.md"), "written at %s" % ", ".join(ACTIONS[action])


@pytest.mark.parametrize("action", RECORD_ACTIONS)
def test_record_kind_action_is_documented(action):
    """talk, visit, risk, screening, absence × create, view, update, delete: built from the kind's
    name in portal/entries.py until each kind writes its own literal actions."""
    assert action in documented_actions()


def test_audit_doc_lists_no_action_the_code_never_writes():
    documented = documented_actions()
    assert len(documented) > 40
    assert documented - set(ACTIONS) - set(RECORD_ACTIONS) == set()


# --- the index and the copies of the brief -----------------------------------------------------

@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md") if p.name != "README.md"))
def test_docs_index_links_every_page(page):
    assert "](%s)" % page in doc("README.md")


@pytest.mark.parametrize("page, brief", [("security.md", "SECURITY.md"), ("domain.md", "DOMAIN.md")])
def test_brief_copies_are_verbatim(page, brief):
    """docs/ holds the brief word for word below its one-line header (../shared when present)."""
    original = ROOT.parent / "shared" / brief
    if not original.is_file():
        pytest.skip("../shared is not present")
    header, blank, body = doc(page).partition("\n\n")
    assert header.startswith("> Copy of the project brief") and blank
    assert body == original.read_text(encoding="utf-8")


def test_the_readme_maps_every_package_and_shared_module():
    """The README's map is the tree: every package of portal/ and every module beside them, each once."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code_map = readme[readme.index("## What is in it"):]
    portal = ROOT / "portal"
    packages = sorted(p.name for p in portal.iterdir() if (p / "__init__.py").exists() or p.name == "migrations")
    modules = sorted(p.name for p in portal.glob("*.py"))
    assert len(packages) >= 12 and len(modules) >= 15
    missing = [p for p in packages if "`portal/%s/`" % p not in code_map]
    missing += [m for m in modules if not re.search(r"`%s`" % re.escape(m), code_map)]
    assert not missing, "not in the README's map: %s" % missing
    shared = code_map[code_map.index("| shared module |"):]
    named = set(re.findall(r"`portal/(\w+)/`", code_map)) | set(re.findall(r"`(\w+\.py)`", shared))
    gone = sorted(n for n in named if not (portal / n).exists())
    assert not gone, "the README's map names what is not in the tree: %s" % gone
