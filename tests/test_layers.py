"""Dependencies point one way: names/registry <- store <- statements, ga <- api <- cli (and later web).

Every import counts, including the ones inside functions (they are how a
cycle hides), except those under ``if TYPE_CHECKING:`` (annotations only,
never run). The graph is read from the source with ``ast``; nothing is run.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "blocwatch"

# Layer of each top-level part; a module may import only from its own layer or lower ones.
LAYERS = {
    "errors": 0, "cache": 0, "files": 0,
    "registry": 1, "blocs": 1, "names": 1, "counts": 1, "signatories": 1,
    "store": 2,
    "ga": 3, "hrc": 3, "votes": 3, "statements": 3, "curate": 3, "forecast": 3, "team": 3,
    "api": 4,
    "cli": 5, "web": 5,
    "__init__": 5, "__main__": 6,
}
# Display helpers, types and output-path checks the CLI may use besides the API (no queries).
CLI_ALLOWED = {"blocwatch.registry", "blocwatch.errors", "blocwatch.files", "blocwatch.signatories",
               "blocwatch.web",  # blocwatch serve runs the web app
               "blocwatch.ga.seats",
               "blocwatch.statements.alignment",
               # maintainer commands (curate) call the curation modules directly
               "blocwatch.curate", "blocwatch.statements.curate", "blocwatch.ga.curate",
               "blocwatch.ga.dgacm", "blocwatch.hrc.curate"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        edges = set()
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                       and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
                       for stmt in block.body for n in ast.walk(stmt)}
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            else:
                continue
            edges.update(t for t in targets if t in files and t != name)
        graph[name] = edges
    return graph


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_import_cycle():
    graph = _graph()
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == []


def test_layers_point_one_way():
    wrong = []
    for module, edges in _graph().items():
        for target in edges:
            if target == "blocwatch":  # the package itself (e.g. __version__): fine from the CLI only
                if _part(module) != "cli":
                    wrong.append((module, target))
                continue
            if LAYERS[_part(target)] > LAYERS[_part(module)]:
                wrong.append((module, target))
    assert wrong == []


def test_store_imports_no_domain_code():
    graph = _graph()
    for module, edges in graph.items():
        if _part(module) == "store":
            assert {_part(t) for t in edges} <= {"store", "errors", "registry", "cache"}, (module, edges)


def test_ga_does_not_import_statements():
    for module, edges in _graph().items():
        if _part(module) == "ga":
            assert not any(_part(t) in ("statements", "api", "cli") for t in edges), (module, edges)


def test_cli_goes_through_the_api():
    for module, edges in _graph().items():
        if _part(module) != "cli":
            continue
        for target in edges:
            if _part(target) in ("api", "cli") or target == "blocwatch":
                continue
            assert any(target == a or target.startswith(a + ".") for a in CLI_ALLOWED), (module, target)


# What the web layer may use besides the API: the same display helpers and types as the CLI.
WEB_ALLOWED = {"blocwatch.registry", "blocwatch.errors", "blocwatch.names"}


def test_web_goes_through_the_api():
    for module, edges in _graph().items():
        if _part(module) != "web":
            continue
        for target in edges:
            if _part(target) in ("api", "web") or target == "blocwatch":
                continue
            assert any(target == a or target.startswith(a + ".") for a in WEB_ALLOWED), (module, target)
