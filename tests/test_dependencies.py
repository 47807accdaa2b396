"""Imports between Stepwise's modules point one way: no module reaches itself again through
others, whether it imports at the top or inside a function (an import inside a function
only hides a cycle until some process imports in another order). Imports for type
checkers only (under `if TYPE_CHECKING:`) are no dependency at run time."""

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]


def modules() -> dict[str, Path]:
    found = {}
    for package in ("builder", "connectors"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


def _type_checking_only(tree: ast.AST) -> set[int]:
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for statement in node.body for child in ast.walk(statement)}
    return skipped


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text())
    skipped = _type_checking_only(tree)

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {resolve(f"{node.module}.{alias.name}") for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {resolve(alias.name) for alias in node.names}
    return {name for name in found if name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_through_others():
    known = modules()
    graph = {name: imports(path, known) - {name} for name, path in known.items()}
    assert cycles(graph) == []


def test_the_check_finds_a_cycle_held_together_inside_a_function(tmp_path):
    graph = {"a.services": {"b.services"}, "b.services": {"a.services"}, "c": set()}
    assert cycles(graph) == [["a.services", "b.services"]]
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from builder.jobs.services import job_enqueue\n")
    assert imports(module, {"builder.jobs.services": module}) == {"builder.jobs.services"}


def test_connectors_know_nothing_of_the_django_project():
    known = modules()
    for name, path in known.items():
        if name.startswith("connectors."):
            assert not {i for i in imports(path, known) if i.startswith("builder.")}, name


def test_the_engine_is_plain_python():
    known = modules()
    for name, path in known.items():
        if name.startswith("builder.engine"):
            outside = {i for i in imports(path, known) if not i.startswith(("builder.engine", "connectors."))}
            assert not outside, name
            assert "django" not in path.read_text(), name
