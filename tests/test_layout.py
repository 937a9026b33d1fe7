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


def runtime_imports(path: Path) -> list[tuple[int, str]]:
    """Like `imports`, without those under `if TYPE_CHECKING:` (names for the type checker, never imported
    when the program runs: the store reads the engine's state type that way)."""
    found = []
    todo: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            todo += node.orelse
            continue
        if isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
        elif isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
        todo += ast.iter_child_nodes(node)
    return found


def package_imports() -> dict[str, set[str]]:
    """For each part of the product (a subpackage of interviewer/, a top-level module, or ui), the other parts
    it imports when it runs, at module level or inside functions alike."""
    parts: dict[str, set[str]] = {}
    files = [(p, p.relative_to(ROOT / "interviewer").parts) for p in (ROOT / "interviewer").rglob("*.py")]
    files += [(p, ("ui", p.name)) for p in (ROOT / "ui").glob("*.py")]
    for path, rel in files:
        part = rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")
        if part == "__init__":
            continue
        deps = parts.setdefault(part, set())
        for level, module in runtime_imports(path):
            if level == 0 and module.startswith("interviewer."):
                target = module.split(".")[1]
            elif level >= (2 if len(rel) > 1 else 1) and module:
                target = module.split(".")[0]
            else:
                continue
            if target != part and target not in ("__init__", "__version__"):
                deps.add(target)
    return parts


def test_no_import_cycle_between_the_products_parts():
    """The answer path goes downhill (ui -> engine -> grader -> llm; the bank and the text tools at the bottom):
    no part imports a part that imports it back, directly or through others."""
    graph = package_imports()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*path[path.index(nxt):], nxt]))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert "grader" not in graph["bank"] and "bank" not in graph["text"]
