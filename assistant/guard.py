"""The numeric guard: an answer may only carry numbers that stand in the clauses it cites, or counts
of clauses it names (主要目标58条 with the 58 clause ids, each one checked to exist)."""

from __future__ import annotations

import re

from assistant.models import Answer, Clause, Count, Target
from assistant.text import fmt_number, norm

NUMBER = re.compile(r"\d+(?:\.\d+)?")


def numbers(text: str) -> list[str]:
    return NUMBER.findall(norm(text))


def allowed_numbers(clauses: list[Clause], targets: list[Target]) -> set[str]:
    """Numbers in the cited clauses, plus the per-10万 figure of a cited value the plan writes in words."""
    allowed = set()
    for c in clauses:
        allowed.update(numbers(c.text))
    for t in targets:
        if t.norm_value is not None and t.value and not NUMBER.search(norm(t.value)):
            allowed.add(fmt_number(t.norm_value))
            allowed.update(numbers(t.norm_unit or ""))
    return allowed


def counted(counts: list[Count], clause_of) -> set[str]:
    """Counts that hold: as many distinct, existing clauses as the number says."""
    ok = set()
    for c in counts:
        ids = set(c.clause_ids)
        if len(ids) == c.value and all(clause_of(i) is not None for i in ids):
            ok.add(str(c.value))
    return ok


def unsupported(answer_text: str, clauses: list[Clause], targets: list[Target], counts: set[str] = frozenset()) -> list[str]:
    """Numbers in the answer that no cited clause holds (nor a checked count)."""
    allowed = allowed_numbers(clauses, targets) | set(counts)
    joined = "".join(norm(c.text) for c in clauses)
    return [n for n in numbers(answer_text) if n not in allowed and n not in joined]


def strip_labels(text: str, clauses: list[Clause]) -> str:
    """Citation labels are our metadata (plan name, section), not figures of the answer."""
    for c in clauses:
        text = text.replace(c.label, "")
    return text


def check(answer: Answer, clause_of) -> list[str]:
    cited = [c for c in (clause_of(x.clause_id) for x in answer.citations) if c is not None]
    return unsupported(strip_labels(answer.answer, cited), cited, answer.targets, counted(answer.counts, clause_of))
