"""Guard rails of the architecture, run as tests."""

import ast
import subprocess
import sys
from pathlib import Path

from tests.imports import HEAVY_LIBRARIES

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    """import-linter: the statistical engine imports nothing from Django or the rest of InFuSe."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_stats_has_no_django_import_anywhere():
    """A plain scan too, which also catches imports inside functions."""
    offenders = []
    for path in (ROOT / "infuse" / "stats").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}"
                for n in names
                if n.split(".")[0] == "django"
                or (n.startswith("infuse.") and not n.startswith("infuse.stats"))
            ]
    assert not offenders, offenders


# --- The shape of the code ----------------------------------------------------------------------

PACKAGE = ROOT / "infuse"
MODULE_LINES = 600  # the statistical engine: 700 (its estimators carry long derivations)
ENGINE_MODULE_LINES = 700
FUNCTION_CODE_LINES = 60
# A function-local import is kept only where importing at the top would cost every process for
# the rare call that needs it, or where Django needs it (settings read before apps, ready()).
LOCAL_IMPORTS_ALLOWED = {
    "weasyprint",  # PDF reports, rendered on request
    "pyspark",  # the optional second analytics engine
    "pyspark.sql",
    "scipy.optimize",  # linear programming for one disclosure audit
    "statsmodels.formula.api",  # formulas for one estimator, slow to import
    "openpyxl",  # spreadsheets, read or written on request
    "rich.console",  # the CLI's tables, not needed by the web
    "rich.table",
    "django.core.management",  # the console script, before settings are chosen
}


def _modules() -> list[Path]:
    return sorted(
        path for path in PACKAGE.rglob("*.py") if "migrations" not in path.relative_to(ROOT).parts
    )


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _code_lines(source: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of code in a function: not blank, not comments, not its docstring."""
    body = node.body
    start = body[0].lineno
    if ast.get_docstring(node) is not None:
        start = body[1].lineno if len(body) > 1 else node.end_lineno or start
    lines = source[start - 1 : node.end_lineno]
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


def _says_why_long(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    docstring = (ast.get_docstring(node) or "").lower()
    return "long because" in docstring or "kept in one piece" in docstring


def _long_modules() -> list[tuple[Path, str]]:
    found = []
    for path in _modules():
        limit = ENGINE_MODULE_LINES if "stats" in path.parts else MODULE_LINES
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > limit:
            found.append((path, f"{_name(path)}: {count} lines"))
    return found


def _long_functions() -> list[tuple[Path, str]]:
    found = []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            count = _code_lines(lines, node)
            if count > FUNCTION_CODE_LINES and not _says_why_long(node):
                found.append((path, f"{_name(path)}:{node.lineno} {node.name} ({count} lines)"))
    return found


def _local_imports(tree: ast.Module) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and inner.module:
                found.append((inner.lineno, inner.module))
            elif isinstance(inner, ast.Import):
                found += [(inner.lineno, alias.name) for alias in inner.names]
    return found


def _hidden_imports() -> list[tuple[Path, str]]:
    found = []
    for path in _modules():
        if path.name == "apps.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [
            (path, f"{_name(path)}:{line} {module}")
            for line, module in _local_imports(tree)
            if module not in LOCAL_IMPORTS_ALLOWED
        ]
    return found


def test_no_module_is_too_long_to_read():
    """A module past ~600 lines (the engine ~700) is the signal to split it by topic."""
    long = [text for path, text in _long_modules()]
    assert not long, long


def test_no_function_is_too_long_without_saying_why():
    """Over ~60 lines of code, a function is split, or its docstring says why it is long
    ("long because …")."""
    long = [text for path, text in _long_functions()]
    assert not long, long


def test_imports_are_at_the_top_so_no_cycle_can_hide():
    """Imports inside functions hide import cycles (and the import contracts cannot see what
    runs late). Allowed: Django's ready() hooks, and heavy optional libraries named above."""
    hidden = [text for path, text in _hidden_imports()]
    assert not hidden, hidden


def _runtime_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """Top-level imports that run (those under ``if TYPE_CHECKING:`` do not)."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
    return found


def test_heavy_libraries_are_imported_only_where_used():
    eager = [
        f"{_name(path)}:{line} {module}"
        for path in _modules()
        if path.relative_to(PACKAGE).parts[0] not in {"stats", "analytics"}
        for line, module in _runtime_imports(ast.parse(path.read_text(encoding="utf-8")))
        if module.split(".")[0] in HEAVY_LIBRARIES
    ]
    assert not eager, eager


def test_duckdb_is_opened_in_one_place():
    """`analytics.open_duckdb` (or `connect`, which uses it) gives every connection a memory
    limit and no extension downloads; a `duckdb.connect` elsewhere would have neither."""
    opening = ROOT / "infuse" / "analytics" / "connection.py"
    elsewhere = [
        _name(path)
        for path in _modules()
        if path != opening and "duckdb.connect(" in path.read_text(encoding="utf-8")
    ]
    assert not elsewhere, elsewhere
