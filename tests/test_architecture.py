"""The shape of the code, checked on its source with ``ast`` (nothing is imported).

- No import cycle among the modules of ``src/leadline``, counting imports inside functions
  (which import-linter does not see) and relative imports. A module's implicit import of its
  own parent packages (``leadline.sources.github.webhook`` runs ``leadline.sources.github``'s
  ``__init__`` first) is not an edge; an explicit import of a parent is, so a package whose
  ``__init__`` imports back a module that imports it is a cycle.
- No private name crosses a module boundary: no ``from a.b import _x``, no import of a
  ``_b`` module (``from a._b import x``, ``import a._b``), no ``mod._x`` on an imported
  module, in ``src/leadline`` and ``tests`` alike (for leadline and test modules).
- No module of ``src/leadline`` is over ``MAX_LINES`` lines (migrations aside): split it by
  responsibility instead.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[1]
SRC = ROOT / "src"
MAX_LINES = 400
LONG_EXEMPT = ("leadline.store.migrations",)


@dataclass(frozen=True)
class Module:
    name: str  # dotted, a package by its own name (``leadline.store`` for its __init__)
    path: Path
    is_package: bool

    @property
    def package(self) -> str:
        """The package relative imports start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]


def find_modules(base: Path, top: str) -> dict[str, Module]:
    """Every module under ``base / top``, by dotted name."""
    found: dict[str, Module] = {}
    for path in sorted((base / top).rglob("*.py")):
        parts = list(path.relative_to(base).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = Module(".".join(parts), path, is_package)
    return found


SOURCE = find_modules(SRC, "leadline")
TESTS = find_modules(ROOT, "tests")
KNOWN = {**SOURCE, **TESTS}


@dataclass(frozen=True)
class Imported:
    """One imported module (``name``) or one name imported from a module (``target.name``)."""

    line: int
    target: str  # the module the statement reads (deepest known one for ``import a.b.c``)
    name: str | None  # the name taken from it, when not itself a module
    spelled: str  # as written, for messages


def deepest_known(dotted: str) -> str | None:
    while dotted and dotted not in KNOWN:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def absolute(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.package.split(".")
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: Module) -> Iterator[Imported]:
    """Every import in ``module`` (at any depth) of a leadline or test module."""
    tree = ast.parse(module.path.read_text(), str(module.path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = deepest_known(alias.name)
                if target is not None:
                    yield Imported(node.lineno, target, None, f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            source = absolute(module, node)
            dots = "." * node.level
            for alias in node.names:
                spelled = f"from {dots}{node.module or ''} import {alias.name}"
                if f"{source}.{alias.name}" in KNOWN:
                    yield Imported(node.lineno, f"{source}.{alias.name}", None, spelled)
                else:
                    target = deepest_known(source)
                    if target is not None:
                        yield Imported(node.lineno, target, alias.name, spelled)


def import_graph() -> dict[str, set[str]]:
    """Module → the modules it imports, without edges to its own parent packages unless it
    names them explicitly (see the module docstring)."""
    graph: dict[str, set[str]] = {name: set() for name in SOURCE}
    for module in SOURCE.values():
        for imp in imports_of(module):
            if imp.target in SOURCE and imp.target != module.name:
                parent = module.name.startswith(imp.target + ".")
                if not parent or imp.name is not None:
                    graph[module.name].add(imp.target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative), each
    as one cycle through it, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(cycle_through(graph, set(component)))
    return sorted(found)


def cycle_through(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """One cycle inside ``component``, from its first module back to it (breadth-first, so
    the shortest), for the failure message."""
    start = min(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for child in sorted(graph[node] & component):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return sorted(component)


def test_no_import_cycle() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(module: Module) -> Iterator[str]:
    """Where ``module`` reaches for a private name of another module."""
    tree = ast.parse(module.path.read_text(), str(module.path))
    module_aliases: dict[str, str] = {}  # a local name bound to an imported module
    for imp in imports_of(module):
        where = f"{module.path.relative_to(ROOT)}:{imp.line}"
        if any(private(part) for part in imp.target.split(".")):
            yield f"{where}: {imp.spelled} (a private module)"
        elif imp.name is not None and private(imp.name) and imp.target != module.name:
            yield f"{where}: {imp.spelled} (a private name)"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name in KNOWN:
                    module_aliases[alias.asname] = alias.name
                elif not alias.asname and (head := alias.name.partition(".")[0]) in KNOWN:
                    module_aliases[head] = head  # ``import a.b`` binds ``a``
        elif isinstance(node, ast.ImportFrom):
            source = absolute(module, node)
            for alias in node.names:
                if f"{source}.{alias.name}" in KNOWN:
                    module_aliases[alias.asname or alias.name] = f"{source}.{alias.name}"

    def module_of(node: ast.expr) -> str | None:
        """The other module ``node`` names (an imported module, or an attribute path to one)."""
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head not in module_aliases:
            return None
        target = ".".join(filter(None, (module_aliases[head], rest)))
        return target if target in KNOWN and target != module.name else None

    for node in ast.walk(tree):
        where = f"{module.path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and private(node.attr):
            target = module_of(node.value)
            if target is not None:
                yield f"{where}: {ast.unparse(node)} (a private name of {target})"
        elif isinstance(node, ast.Call) and attr_call(node) and node.args:
            # setattr(mod, "_x", …), monkeypatch.setattr(mod, "_x", …), getattr, delattr
            first, second = node.args[0], node.args[1] if len(node.args) > 1 else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                parts = first.value.split(".")
                if parts[0] in ("leadline", "tests") and any(private(p) for p in parts):
                    yield f"{where}: {ast.unparse(node.func)}({first.value!r}, …) (private)"
            elif (
                isinstance(second, ast.Constant)
                and isinstance(second.value, str)
                and private(second.value)
                and (target := module_of(first)) is not None
            ):
                yield f"{where}: {ast.unparse(node.func)}(…, {second.value!r}) of {target}"


ATTR_CALLS = ("setattr", "getattr", "delattr")  # not hasattr: "is gone" checks use it


def attr_call(node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in ATTR_CALLS
    return isinstance(func, ast.Attribute) and func.attr in ATTR_CALLS


def dotted_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted_name(node.value)
        return None if inner is None else f"{inner}.{node.attr}"
    return None


def test_no_private_name_crosses_a_module() -> None:
    found = [use for module in KNOWN.values() for use in private_uses(module)]
    assert not found, "private names used across modules:\n" + "\n".join(found)


def test_no_module_is_over_the_line_limit() -> None:
    long = {
        name: count
        for name, module in SOURCE.items()
        if not name.startswith(LONG_EXEMPT)
        and (count := len(module.path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them): {long}"


# The modules allowed to read the clock: the HTTP client (rate-limit waits) and the git runner.
CLOCK_OK = ("leadline.sources.http", "leadline.sources.git.gitlog")
CLOCK_CALLS = ("now", "utcnow", "today", "time", "monotonic", "perf_counter")


def clock_reads(module: Module) -> Iterator[str]:
    """``datetime.now()``, ``date.today()``, ``time.time()``… called in ``module``."""
    for node in ast.walk(ast.parse(module.path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in CLOCK_CALLS
            and dotted_name(node.func.value) in ("datetime", "date", "time", "dt")
        ):
            yield f"{module.path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node.func)}()"


def test_mappings_and_the_demo_read_no_clock() -> None:
    """The tool mappings and the demo generator give the same records for the same input,
    whenever they run (import-linter keeps ``time`` out; this catches ``datetime.now()``)."""
    pure = [
        module
        for name, module in SOURCE.items()
        if name.startswith(("leadline.sources.", "leadline.demo")) and not name.startswith(CLOCK_OK)
    ]
    assert len(pure) > 30  # the walk found the tool packages
    found = [read for module in pure for read in clock_reads(module)]
    assert not found, "clock reads in pure code:\n" + "\n".join(found)
