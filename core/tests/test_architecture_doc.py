"""The map in docs/architecture.md is the one scripts/architecture.py draws from the code today, so it cannot drift:
when an import between apps comes or goes, or the layers change, run `python scripts/architecture.py`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "architecture.py"


def _script():
    spec = importlib.util.spec_from_file_location("architecture", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_map_in_the_doc_is_the_one_the_code_draws():
    architecture = _script()
    doc = architecture.DOC.read_text(encoding="utf-8")
    assert architecture.with_map(doc, architecture.render()) == doc, (
        "docs/architecture.md: the map is stale; run python scripts/architecture.py")


def test_the_map_has_every_app_of_the_contract_and_marks_what_runs_upward():
    architecture = _script()
    stack = architecture.layers()
    assert stack[-1] == ["core"] and all(stack)
    drawn = architecture.mermaid(stack, {("accounts", "core"), ("core", "accounts")})
    assert "  accounts --> core" in drawn and "  core -.-> accounts" in drawn
    assert "  linkStyle 1 stroke:#c62828,stroke-width:2px" in drawn
    for layer in stack:
        for app in layer:
            assert f"\n    {app}\n" in drawn
