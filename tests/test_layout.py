"""Who imports what: ui/ names the product absolutely (so it reads the same from a checkout and from the wheel,
where it is `interviewer.ui`), and bench/ imports no test module (the tests import the shared harness from
bench/, not the other way round)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = {p.stem for p in (ROOT / "tests").glob("*.py")}


def imports(path: Path) -> list[tuple[int, str]]:
    """(level, module) of every import in a file; level > 0 is relative (`from ..engine` is (2, 'engine'))."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
        elif isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
    return found


def test_ui_imports_the_product_by_absolute_names():
    reaching_out = {(p.name, f"{'.' * level}{module}") for p in (ROOT / "ui").glob("*.py")
                    for level, module in imports(p) if level > 1}
    assert not reaching_out, "ui/ must import the product as `interviewer.…`, not relatively"
    assert any(module.startswith("interviewer.") for level, module in imports(ROOT / "ui" / "service.py"))


def test_bench_imports_no_test_module():
    from_tests = {(p.name, module) for p in (ROOT / "bench").glob("*.py") for level, module in imports(p)
                  if level == 0 and (module.split(".")[0] in TESTS or module.split(".")[0] == "tests")}
    assert not from_tests
    assert not [p.name for p in (ROOT / "bench").glob("*.py") if '"tests"' in p.read_text(encoding="utf-8")], \
        "no sys.path entry for tests/ in bench/"
