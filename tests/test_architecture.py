"""The package's shape: the pipeline flat at the top, the wings in folders, imports one way.

Ranks: the single-article pipeline (every top-level module) 0, ``pdf/`` 1, ``issue/`` and
``batch/`` 2, ``service/`` 3, ``cli/`` 4. A module may import its own folder and lower ranks
only (lazy imports inside functions included); ``issue`` and ``batch`` never import each
other. ``formats/``, the readers of the load stage, shares the pipeline's rank 0 and sits
below ``load``: it imports only the pipeline's base modules (errors, parsing, i18n). The
package root (the public facade) and ``__main__`` may name anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import printbrief

PACKAGE = Path(printbrief.__file__).parent
RANKS = {"": 0, "formats": 0, "pdf": 1, "issue": 2, "batch": 2, "service": 3, "cli": 4}
READERS_MAY_IMPORT = {"printbrief.errors", "printbrief.parsing", "printbrief.i18n"}
"""What the format readers (``formats/``) use of the pipeline: nothing that imports them."""


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported printbrief module, at module level?) for every import in the file."""
    tree = ast.parse(path.read_text("utf-8"))
    package = (
        _module(path).split(".") if path.name == "__init__.py" else _module(path).split(".")[:-1]
    )
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names = [f"{target}.{a.name}" for a in node.names]
            found += [(n if _exists(n) else target, id(node) in top_level) for n in names]
        elif isinstance(node, ast.ImportFrom | ast.Import):
            mods = (
                [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            )
            found += [(m, id(node) in top_level) for m in mods if m and m.startswith("printbrief")]
    return found


def _exists(module: str) -> bool:
    rel = Path(*module.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


def _wing(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in RANKS) else ""


MODULES = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@pytest.mark.parametrize(
    "module", [m for m in MODULES if m not in ("printbrief", "printbrief.__main__")]
)
def test_imports_flow_one_way(module: str) -> None:
    wing = _wing(module)
    for target, _ in _imports(MODULES[module]):
        if target == "printbrief":
            continue
        other = _wing(target)
        same_stage = {wing, other} == {"", "formats"}  # load and its readers
        assert RANKS[other] < RANKS[wing] or other == wing or same_stage, (
            f"{module} imports {target}"
        )
        assert {wing, other} != {"issue", "batch"}, f"{module} imports {target}"


@pytest.mark.parametrize("module", [m for m in MODULES if _wing(m) == "formats"])
def test_format_readers_sit_below_load(module: str) -> None:
    for target, _ in _imports(MODULES[module]):
        assert _wing(target) == "formats" or target in READERS_MAY_IMPORT, (
            f"{module} imports {target}"
        )


def test_no_import_cycles_at_module_level() -> None:
    graph = {
        m: {t for t, top in _imports(p) if top and t in MODULES and t != "printbrief"}
        for m, p in MODULES.items()
    }
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            assert state.get(nxt) != 1, "cycle: " + " → ".join([*path, node, nxt])
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])


def test_the_folders_show_the_wings() -> None:
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert folders == ["batch", "cli", "formats", "issue", "pdf", "service"]
    names = {p.stem for p in PACKAGE.glob("*.py")}
    assert not {n for n in names if n.startswith(("issue_", "pdf", "batch_", "service_"))}
    assert not {"worker", "pool", "cache"} & names  # the one kit is workers.py
