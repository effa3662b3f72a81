"""The scoping ladder is written once (core/scoping.py): no code reaches into another queryset's ``_scope``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "var", "test-artifacts", "node_modules", "migrations"}


def _private_scope_calls(path: Path) -> list[str]:
    """Calls of ``x._scope(...)`` where ``x`` is neither ``self`` nor ``super()``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "_scope"):
            continue
        owner = node.func.value
        if isinstance(owner, ast.Name) and owner.id == "self":
            continue
        if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
            continue
        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_code_calls_another_querysets_private_scope():
    files = [p for p in ROOT.rglob("*.py") if not SKIPPED_DIRS & set(p.relative_to(ROOT).parts)]
    assert len(files) > 100  # the walk reads the product, not an empty folder
    calls = [call for path in files for call in _private_scope_calls(path)]
    assert calls == []  # a scope built from another model's goes through its public scoped_for(principal)
