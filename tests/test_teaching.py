"""Teaching in the open: what a lab teaches is written in its cells, the same code as the package.

A code cell whose first line is ``# also in lmcourse.<module>`` defines functions (or
classes) that the package keeps for later labs. This test fails when a definition in such a
cell and the package's differ (docstrings and comments aside), when a marked cell defines
nothing, or when the notebook also imports what it defines (the lab must not merely import
what it teaches). See CONTRIBUTING.md, "Teaching in the open".
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MARK = re.compile(r"^# also in (lmcourse(?:\.\w+)+)\s*$")


def _strip_docstring(node: ast.AST) -> ast.AST:
    body = getattr(node, "body", None)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        node.body = body[1:] or [ast.Pass()]
    for child in ast.walk(node):
        if child is not node and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            _strip_docstring(child)
    return node


def normalized(node: ast.AST) -> str:
    """The code of a definition with docstrings removed (comments are not in the tree)."""
    return ast.dump(_strip_docstring(node), include_attributes=False)


def marked_cells(path: Path) -> list[tuple[int, str, str]]:
    """(cell number, module, source) of every ``# also in lmcourse.…`` cell."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for number, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            first = cell.source.split("\n", 1)[0]
            match = MARK.match(first)
            if match:
                found.append((number, match.group(1), cell.source))
    return found


def definitions(source: str) -> dict[str, ast.AST]:
    tree = ast.parse(source)
    return {node.name: node for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def compare_cell(module_name: str, source: str) -> list[str]:
    """Every way a marked cell differs from the package (an empty list when they agree)."""
    problems = []
    defs = definitions(source)
    if not defs:
        return [f"the cell is marked '# also in {module_name}' but defines no function or class"]
    module = importlib.import_module(module_name)
    for name, node in defs.items():
        obj = getattr(module, name, None)
        if obj is None:
            problems.append(f"{name} is defined in the cell but {module_name} has no {name}")
            continue
        package_node = ast.parse(textwrap.dedent(inspect.getsource(obj))).body[0]
        if normalized(node) != normalized(package_node):
            problems.append(f"{name} in the cell differs from {module_name}.{name}: make them the same code "
                            "(docstrings and comments may differ)")
    return problems


CASES = [(path, number, module, source) for path in NOTEBOOKS for number, module, source in marked_cells(path)]


@pytest.mark.parametrize("path, number, module, source", CASES,
                         ids=[f"{p.name}:cell{n}" for p, n, _, _ in CASES])
def test_cell_is_the_package_code(path: Path, number: int, module: str, source: str):
    problems = compare_cell(module, source)
    assert not problems, f"{path.name}, cell {number}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_lab_does_not_import_what_it_teaches(path: Path):
    taught = {name for _, _, source in marked_cells(path) for name in definitions(source)}
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lmcourse"):
                imported = {alias.asname or alias.name for alias in node.names} & taught
                assert not imported, (f"{path.name} imports {sorted(imported)} from {node.module} but also "
                                      "teaches them in a cell: use the cell's definition")


def test_the_comparison_catches_a_change():
    """The mechanism itself: an edited copy of a package function is reported, a re-commented one is not."""
    from lmcourse import metrics

    source = textwrap.dedent(inspect.getsource(metrics.softmax))
    assert compare_cell("lmcourse.metrics", source) == []
    recommented = re.sub(r'""".*?"""', '"""Another docstring."""  # and a comment', source, count=1, flags=re.S)
    assert compare_cell("lmcourse.metrics", recommented) == []
    changed = source.replace("np.max", "np.min")
    assert compare_cell("lmcourse.metrics", changed) and "differs" in compare_cell("lmcourse.metrics", changed)[0]
    assert "defines no function" in compare_cell("lmcourse.metrics", "x = 1")[0]
    assert "has no" in compare_cell("lmcourse.metrics", "def not_there():\n    pass\n")[0]
