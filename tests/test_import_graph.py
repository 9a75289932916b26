"""No import cycles among the project's own modules (bot/ and index/), counting imports inside functions too.

A cycle works only while the imports happen in a lucky order (one of them hidden inside a function);
without cycles the layers read one way: the index knows nothing of the bot, handlers use services.
"""

from __future__ import annotations

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "index")


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((PROJECT / package).rglob("*.py"))}


def imported_modules(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules `path` imports anywhere in its body: `import a.b`, `from a import b`, `from . import c`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return {module for module in found if module in known and module != name}


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imported_modules(path, name, set(modules)) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle as [a, b, ..., a], or [] when the graph is acyclic (depth-first search, three colours)."""
    state: dict[str, str] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = "open"
        trail.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return trail[trail.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = "done"
        trail.pop()
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_a_cycle_hidden_behind_a_function_level_or_relative_import_is_found(tmp_path):
    (tmp_path / "first.py").write_text("import second\n")
    (tmp_path / "second.py").write_text("def later():\n    from first import thing\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("from . import b\n")
    (tmp_path / "pkg" / "b.py").write_text("def later():\n    from .a import thing\n")
    known = {"first", "second", "pkg", "pkg.a", "pkg.b"}
    graph = {name: imported_modules(tmp_path / f"{name.replace('.', '/')}.py", name, known)
             for name in ("first", "second", "pkg.a", "pkg.b")}
    assert graph == {"first": {"second"}, "second": {"first"}, "pkg.a": {"pkg", "pkg.b"}, "pkg.b": {"pkg.a"}}
    assert find_cycle(graph) == ["first", "second", "first"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_sees_the_bot_importing_the_index():
    graph = import_graph()
    assert "index.library" in graph["bot.app"] and "bot.handlers.ask" in graph["bot.handlers.start"]


def test_no_import_cycles_among_project_modules():
    assert find_cycle(import_graph()) == []


def test_the_index_imports_nothing_from_the_bot():
    graph = import_graph()
    assert {(name, target) for name, targets in graph.items() if name.startswith("index")
            for target in targets if target.startswith("bot")} == set()
