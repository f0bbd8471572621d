"""One import direction: ui -> assistant -> (ingest, store) -> base modules."""

import ast
from pathlib import Path

from assistant.config import ROOT

BASE = {"assistant.text", "assistant.models", "assistant.lexicon", "assistant.config"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            # "from assistant import lexicon" imports assistant.lexicon
            out |= {f"{node.module}.{a.name}" for a in node.names} if node.module == "assistant" else {node.module}
    return out


def test_nothing_imports_the_ui():
    for p in (ROOT / "assistant").rglob("*.py"):
        assert not any(m == "ui" or m.startswith("ui.") for m in _imports(p)), p


def test_ingest_and_store_import_only_downwards():
    for layer in ("ingest",):
        for p in (ROOT / "assistant" / layer).rglob("*.py"):
            for m in _imports(p):
                if m.startswith("assistant"):
                    assert m in BASE or m.startswith(f"assistant.{layer}"), (p, m)
