"""Draw the map of the apps: the layers of the contract in .importlinter and the imports between apps as the code
has them today, as a Mermaid diagram in docs/architecture.md between its two markers.

An arrow is an app importing another (its tests left out: they may import anything). A solid arrow runs down the
layers, as the contract wants; a dotted red one runs up or sideways and is one of the imports the contract still
ignores, to be removed. core/tests/test_architecture_doc.py fails when the diagram in the doc is not the one this
script draws now, so the map cannot drift from the code:

    python scripts/architecture.py            # rewrite the diagram in docs/architecture.md
    python scripts/architecture.py --check    # exit 1 when the doc's diagram is stale
"""

from __future__ import annotations

import argparse
import configparser
import sys
from collections.abc import Iterable
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / ".importlinter"
DOC = ROOT / "docs" / "architecture.md"
BEGIN = "<!-- The map: drawn by scripts/architecture.py from .importlinter and the imports; do not edit. -->"
END = "<!-- End of the map. -->"


def layers(contract: Path = CONTRACT) -> list[list[str]]:
    """The layers of the contract, top first, each the apps in it."""
    config = configparser.ConfigParser()
    config.read(contract, encoding="utf-8")
    lines = config["importlinter:contract:layers"]["layers"].split("\n")
    return [[app.strip() for app in line.split("|")] for line in lines if line.strip()]


def app_imports(apps: Iterable[str]) -> set[tuple[str, str]]:
    """(importer, imported) for every app whose code, tests aside, imports another's."""
    apps = list(apps)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # grimp finds the apps' files through the import path
    graph = grimp.build_graph(*apps, exclude_type_checking_imports=True, cache_dir=None)
    edges = set()
    for app in apps:
        for module in graph.find_descendants(app) | {app}:
            if ".tests" in f".{module}." or module.rsplit(".", 1)[-1].startswith("test_"):
                continue
            for imported in graph.find_modules_directly_imported_by(module):
                target = imported.split(".", 1)[0]
                if target != app and target in apps:
                    edges.add((app, target))
    return edges


def mermaid(stack: list[list[str]], edges: set[tuple[str, str]]) -> str:
    level = {app: n for n, layer in enumerate(stack) for app in layer}
    lines = ["```mermaid", "flowchart TB"]
    for n, layer in enumerate(stack):
        lines.append(f'  subgraph layer{n}["{" · ".join(layer)}"]')
        lines.append("    direction LR")
        lines.extend(f"    {app}" for app in layer)
        lines.append("  end")
    down = sorted(e for e in edges if level[e[0]] < level[e[1]])
    against = sorted(e for e in edges if level[e[0]] >= level[e[1]])
    lines.extend(f"  {a} --> {b}" for a, b in down)
    lines.extend(f"  {a} -.-> {b}" for a, b in against)
    if against:
        links = ",".join(str(n) for n in range(len(down), len(down) + len(against)))
        lines.append(f"  linkStyle {links} stroke:#c62828,stroke-width:2px")
    lines.append("```")
    return "\n".join(lines)


def summary(stack: list[list[str]], edges: set[tuple[str, str]]) -> str:
    level = {app: n for n, layer in enumerate(stack) for app in layer}
    against = sum(1 for a, b in edges if level[a] >= level[b])
    return (f"{sum(len(layer) for layer in stack)} apps in {len(stack)} layers; {len(edges)} app-to-app imports, "
            f"{against} of them up or sideways (dotted, red: still to remove).")


def render() -> str:
    stack = layers()
    edges = app_imports(app for layer in stack for app in layer)
    return f"{BEGIN}\n{summary(stack, edges)}\n\n{mermaid(stack, edges)}\n{END}"


def with_map(doc: str, drawn: str) -> str:
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"{DOC.relative_to(ROOT)} lacks the map's markers:\n{BEGIN}\n{END}")
    head, rest = doc.split(BEGIN, 1)
    return head + drawn + rest.split(END, 1)[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the diagram in the doc is stale")
    args = parser.parse_args()
    doc = DOC.read_text(encoding="utf-8")
    updated = with_map(doc, render())
    if args.check:
        if updated != doc:
            print("docs/architecture.md: the map is stale; run python scripts/architecture.py", file=sys.stderr)
            return 1
        return 0
    if updated != doc:
        DOC.write_text(updated, encoding="utf-8")
        print("docs/architecture.md: map redrawn")
    return 0


if __name__ == "__main__":
    sys.exit(main())
