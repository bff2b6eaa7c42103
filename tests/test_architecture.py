"""The layers, enforced: model < parsing/storage < search/export/learning/sync < service <
ui/cli. A module may import its own package and any lower layer, never a higher one or a
sibling of its own layer; and the modules of reader import each other without cycles.

Every import counts, including the ones inside functions (lazy imports keep start-up fast,
but they are dependencies all the same).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "reader"

# Top-level part of reader -> layer. Lower numbers are lower layers.
LAYERS: dict[str, int] = {
    "model": 0,
    "paths": 0,
    "parsing": 1,
    "storage": 1,
    "search": 2,
    "export": 2,
    "learning": 2,
    "sync": 2,
    "config": 3,
    "service": 3,
    "ui": 4,
    "cli": 5,  # the CLI starts the app, so it may import ui; ui never imports the CLI
}
# Same-layer imports that are allowed, as (importer, imported).
# learning -> search: features are the words search indexes, folded by the same fast
# tokenizer (reader.search.text), and a retrain is cancelled like a search (Cancelled).
ALLOWED_SIDEWAYS = {("service", "config"), ("learning", "search")}


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def imports_of(module: str, path: Path, *, typing_only: bool = True) -> set[str]:
    """The reader modules ``module`` imports; without ``typing_only``, leave out imports
    under ``if TYPE_CHECKING:`` (they never run, so they cannot form a runtime cycle)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if not typing_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                node.body = []
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "reader" or name.startswith("reader.")}


def part_of(module: str) -> str | None:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else None


ALL = dict(modules())


def test_every_part_of_reader_has_a_layer() -> None:
    parts = {part_of(module) for module in ALL} - {None, "__main__"}
    assert parts <= set(LAYERS), f"add these to LAYERS: {sorted(parts - set(LAYERS))}"


@pytest.mark.parametrize("module", sorted(ALL))
def test_imports_respect_the_layers(module: str) -> None:
    own = part_of(module)
    if own is None or own == "__main__":
        return
    for imported in imports_of(module, ALL[module]):
        other = part_of(imported)
        if other is None or other == own or other not in LAYERS:
            continue
        if (own, other) in ALLOWED_SIDEWAYS:
            continue
        assert LAYERS[other] < LAYERS[own], (
            f"{module} (layer {own}) imports {imported} (layer {other})"
        )


def test_no_import_cycles_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    for module, path in ALL.items():
        targets = set()
        for imported in imports_of(module, path, typing_only=False):
            # "from reader.x import name" may name a module or an object in reader.x.
            while imported and imported not in ALL:
                imported = imported.rpartition(".")[0]
            if imported and imported != module and not module.startswith(imported + "."):
                targets.add(imported)
        graph[module] = targets
    cycle = find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
