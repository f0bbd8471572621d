"""Golden-set evaluation: answer accuracy, citation recall/precision, refusals, numeric faithfulness."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel

from assistant.guard import strip_labels, unsupported, vouched
from assistant.models import Answer
from assistant.text import norm

# The CI gate: one place. Measured on eval_sets/ (the project's sets, blind set A and 50 blind status
# questions: 592 lines with 120 conversation turns) on 2026-12-02 (f6a49ce): 0.972 / 0.990 / 1.00 / 1.00, turns 0.97.
# The gate is 0.95 / 0.95 / 0.95 / 1.00, conversation turns included.
THRESHOLDS = {"answer_accuracy": 0.95, "citation_recall": 0.95, "refusal_accuracy": 0.95, "numeric_faithfulness": 1.00}
CONVERSATION_THRESHOLD = 0.95  # answer accuracy over the turns of multi-turn conversations: the 0.95 gate, turns included


class Golden(BaseModel):
    id: str
    type: str
    question: str
    history: list[str] = []
    answerable: bool = True
    must_contain: list[str] = []
    citations: list[dict] = []
    notes: str | None = None
    conversation: str | None = None  # a turn of a multi-turn conversation: its id…
    turn: int | None = None  # …and its 1-based position (history holds the turns before it)


def load_golden(paths: list[Path]) -> list[Golden]:
    items = []
    for p in paths:
        for i, line in enumerate(Path(p).read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    items.append(Golden.model_validate_json(line))
                except ValueError as e:
                    raise ValueError(f"{p}:{i}: not a golden line: {e}") from None
    return items


def _runs(cited: list) -> list[tuple[str, str, list]]:
    """(document, joined text, clauses) of each run of cited clauses that follow each other in their
    document, one clause alone included: a quote may span two of them (the 落款 is the issuer's line and
    the date under it, two paragraphs), and both are cited."""
    out = []
    by_doc: dict[str, list] = defaultdict(list)
    for c in {(c.doc_id, c.order): c for c in cited}.values():
        by_doc[c.doc_id].append(c)
    for d, cs in by_doc.items():
        cs.sort(key=lambda c: c.order)
        run = [cs[0]]
        for c in cs[1:] + [None]:
            if c is not None and c.order == run[-1].order + 1:
                run.append(c)
                continue
            out.append((d, "".join(norm(x.text) for x in run), run))
            run = [c] if c is not None else []
    return out


def score(g: Golden, a: Answer, clause_of) -> dict:
    text = norm(a.answer)
    cited = [clause_of(c.clause_id) for c in a.citations]
    cited = [c for c in cited if c is not None]
    r: dict = {"id": g.id, "type": g.type, "conversation": g.conversation}
    if g.answerable:
        r["correct"] = a.answerable and all(norm(m) in text for m in g.must_contain)
        quotes = g.citations
        runs = _runs(cited)
        wanted = [(q["doc_id"], norm(q["quote"])) for q in quotes]
        found = [any(d == qd and qt in text_ for d, text_, _ in runs) for qd, qt in wanted]
        r["citation_recall"] = sum(found) / len(found) if found else 1.0
        # a cited clause is good when it holds a quote, or is part of a run that holds one no clause holds alone
        spanning = {id(c) for d, text_, run in runs for qd, qt in wanted if d == qd and qt in text_
                    and not any(qt in norm(x.text) for x in run) for c in run}
        good = [id(c) in spanning or any(c.doc_id == qd and qt in norm(c.text) for qd, qt in wanted) for c in cited]
        r["citation_precision"] = sum(good) / len(good) if good else 0.0
    else:
        r["correct"] = not a.answerable
        r["refused"] = not a.answerable
    r["faithful"] = not unsupported(strip_labels(a.answer, cited), cited, a.targets, vouched(a, clause_of))
    return r


def summarise(results: list[dict]) -> dict:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        groups[r["type"]].append(r)
    turns = [r for r in results if r.get("conversation")]
    if turns:  # conversation turns are also scored together, whatever their type
        groups["conversation_turns"] = turns
    groups["overall"] = results

    def mean(rows, key):
        vals = [r[key] for r in rows if key in r]
        return round(sum(vals) / len(vals), 3) if vals else None

    table = {}
    for name, rows in groups.items():
        answerable = [r for r in rows if "citation_recall" in r]
        table[name] = {
            "n": len(rows),
            "answer_accuracy": mean(answerable, "correct"),
            "citation_recall": mean(answerable, "citation_recall"),
            "citation_precision": mean(answerable, "citation_precision"),
            "refusal_accuracy": mean([r for r in rows if "refused" in r], "refused"),
            "numeric_faithfulness": mean(rows, "faithful"),
        }
    return table


def failures(summary: dict) -> list[str]:
    overall = summary["overall"]
    bad = [f"{k} {overall[k]} < {v}" for k, v in THRESHOLDS.items() if overall[k] is not None and overall[k] < v]
    turns = summary.get("conversation_turns", {}).get("answer_accuracy")
    if turns is not None and turns < CONVERSATION_THRESHOLD:
        bad.append(f"conversation turn accuracy {turns} < {CONVERSATION_THRESHOLD}")
    return bad


def format_table(summary: dict) -> str:
    cols = ["n", "answer_accuracy", "citation_recall", "citation_precision", "refusal_accuracy", "numeric_faithfulness"]
    lines = ["| type | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name in sorted(summary, key=lambda n: (n == "overall", n == "conversation_turns", n)):
        row = summary[name]
        lines.append(f"| {name} | " + " | ".join("—" if row[c] is None else str(row[c]) for c in cols) + " |")
    return "\n".join(lines)


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)
