"""Count the imports placed inside functions (call-time imports) in the product's code, and list them.

An import inside a function usually dodges an import loop that the layer contract (.importlinter) forbids;
a lower layer that must cause an effect above it calls a hook registry instead (docs/architecture.md).
The few that stay say why in a comment on the line above or on the same line. Tests and migrations are
not counted. Exits 1 when the count is above ``--max``: `make test` and `make lint` hold the ceiling, which
only comes down.

    python scripts/call_time_imports.py [--max N] [--list]
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "var", "bench", "scripts", "test-artifacts", "node_modules", "migrations", "tests"}


def product_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts[:-1])
        if parts & SKIPPED_DIRS or path.name == "conftest.py" or path.name.startswith("test_"):
            continue
        if path.parent == ROOT:
            continue
        files.append(path)
    return files


def call_time_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if in_function and isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append((child.lineno, ast.unparse(child)))
            visit(child, inside)

    visit(tree, False)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=None, help="fail when more than this many are found")
    parser.add_argument("--list", action="store_true", help="list every one")
    args = parser.parse_args()
    total = 0
    for path in product_files():
        for line, text in call_time_imports(path):
            total += 1
            if args.list:
                print(f"{path.relative_to(ROOT)}:{line}: {text}")
    print(f"Imports inside functions: {total}" + (f" (ceiling {args.max})" if args.max is not None else ""))
    if args.max is not None and total > args.max:
        print("Move the new ones to the top of the module, or register a hook (docs/architecture.md).")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
