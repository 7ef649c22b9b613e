"""The package's modules import each other in one direction only: no circles, no hidden couplings.

Read from the source (module-level and function-level imports alike), so an import hidden inside
a function to dodge a circle is caught too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import safeguarding

PACKAGE = Path(safeguarding.__file__).parent


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "safeguarding":
                found |= {f"safeguarding.{alias.name}" for alias in node.names}
            elif node.module.startswith("safeguarding."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("safeguarding.")}
    return found


def graph() -> dict[str, set[str]]:
    return {
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts): imports_of(path)
        for path in PACKAGE.rglob("*.py")
    }


def cycle_through(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the modules along it, or None."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return path[path.index(module) :] + [module]
        if module in done:
            return None
        for target in sorted(graph.get(module, ())):
            found = visit(target, [*path, module])
            if found:
                return found
        done.add(module)
        return None

    for module in sorted(graph):
        found = visit(module, [])
        if found:
            return found
    return None


def test_the_package_has_no_import_circle():
    assert cycle_through(graph()) is None


def test_the_circle_check_finds_a_circle():
    assert cycle_through({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_data_contract_depends_on_neither_the_demo_nor_the_quality_runner():
    # The contract is what an import checks; the demo generator and the quality runner are its
    # users, so neither may be needed to read it.
    assert imports_of(PACKAGE / "contract.py").isdisjoint(
        {"safeguarding.demo", "safeguarding.quality"}
    )
