"""Guard rails of the architecture, run as tests."""

import ast
import subprocess
import sys
from pathlib import Path

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
