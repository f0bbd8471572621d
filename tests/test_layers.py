"""One import direction, every layer: a module imports only its own layer or layers below it.

    ui -> app (engine, cli, evaluate, feedback) -> answer (router -> strategies -> parse/state…)
       -> domain (retrieve, compare, guard, monitor) -> store -> ingest -> base (text, models, config,
       lexicon, places)
"""

import ast
from pathlib import Path

from assistant.config import ROOT

# lowest first; a module belongs to the first layer whose prefix it starts with (longest prefixes first)
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("assistant.text", "assistant.models", "assistant.config", "assistant.lexicon", "assistant.places",
              "assistant.sheets")),
    ("ingest", ("assistant.ingest",)),
    ("store", ("assistant.store",)),
    ("domain", ("assistant.retrieve", "assistant.compare", "assistant.guard", "assistant.monitor")),
    ("answer.words", ("assistant.answer.intent", "assistant.answer.phrases")),
    ("answer.reading", ("assistant.answer.parse", "assistant.answer.state")),
    ("answer.tools", ("assistant.answer.compose", "assistant.answer.figures", "assistant.answer.context",
                      "assistant.answer.context_shared", "assistant.answer.draft", "assistant.answer.multipart")),
    ("answer.strategies", ("assistant.answer.strategies",)),
    ("answer.router", ("assistant.answer.router", "assistant.answer")),
    ("app", ("assistant.engine", "assistant.cli", "assistant.evaluate", "assistant.feedback", "assistant.__main__", "assistant")),
    ("ui", ("ui",)),
]


def _layer(module: str) -> int | None:
    best = None
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if module == p or module.startswith(p + "."):
                if best is None or len(p) > best[1]:
                    best = (i, len(p))
    return None if best is None else best[0]


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            # "from assistant import lexicon" imports assistant.lexicon
            out |= {f"{node.module}.{a.name}" for a in node.names} if node.module in ("assistant", "assistant.answer") else {node.module}
    return out


def _sources():
    for folder in ("assistant", "ui"):
        yield from (ROOT / folder).rglob("*.py")


def test_every_module_imports_only_its_layer_or_below():
    bad = []
    for p in _sources():
        mine = _layer(_module(p))
        for m in _imports(p):
            theirs = _layer(m)
            if mine is not None and theirs is not None and theirs > mine:
                bad.append(f"{_module(p)} ({LAYERS[mine][0]}) imports {m} ({LAYERS[theirs][0]})")
    assert not bad, "\n".join(sorted(bad))


def test_every_module_has_a_layer():
    assert not [_module(p) for p in _sources() if _layer(_module(p)) is None]


def test_nothing_imports_the_ui():
    for p in (ROOT / "assistant").rglob("*.py"):
        assert not any(m == "ui" or m.startswith("ui.") for m in _imports(p)), p
