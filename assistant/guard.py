"""The numeric guard: an answer may only carry numbers that stand in the clauses it cites, counts
of clauses it names (主要目标58条 with the 58 clause ids, each one checked to exist), or observed
values it shows with their source (a monitoring answer: 2023年为5.2/10万, 来源 the uploaded table)."""

from __future__ import annotations

import re

from assistant.models import Answer, Clause, Count, Observation, Target  # noqa: F401
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


def counted(counts: list[Count], clause_of, known=None) -> set[str]:
    """Counts that hold: as many distinct, existing clauses as the number says. ``known`` (ids -> the
    existing ones) checks a count's clauses in one lookup: 另有1992个规划 counts a clause of each plan."""
    known = known or (lambda xs: {i for i in xs if clause_of(i) is not None})
    ok = set()
    for c in counts:
        ids = set(c.clause_ids)
        if len(ids) == c.value and known(ids) >= ids:
            ok.add(str(c.value))
    return ok


def observed_numbers(observed: list[Observation]) -> set[str]:
    """The figures of observations shown with their source: value, year, and as written."""
    out = set()
    for o in observed:
        out |= {fmt_number(o.value), str(o.year), *numbers(o.written)}
    return out


DIFF_DECIMALS = 6  # a gap equals its two figures' difference to this many decimals


def vouched(answer: Answer, clause_of, known=None) -> set[str]:
    """Numbers an answer carries on evidence other than a cited clause's text: checked counts, shown
    observations, and gaps between two numbers that are themselves allowed."""
    cited = [c for c in (clause_of(x.clause_id) for x in answer.citations) if c is not None]
    base = counted(answer.counts, clause_of, known) | observed_numbers(answer.observed)
    allowed = base | allowed_numbers(cited, answer.targets) | {t for t in _target_norms(answer.targets)}
    for d in answer.differences:
        if (fmt_number(d.minuend) in allowed and fmt_number(d.subtrahend) in allowed
                and round(abs(d.minuend - d.subtrahend), DIFF_DECIMALS) == round(d.value, DIFF_DECIMALS)):
            base.add(fmt_number(d.value))
    return base


def _target_norms(targets: list[Target]) -> set[str]:
    return {fmt_number(t.norm_value) for t in targets if t.norm_value is not None}


def unsupported(answer_text: str, clauses: list[Clause], targets: list[Target], extra: set[str] = frozenset()) -> list[str]:
    """Numbers in the answer that no cited clause holds (nor a checked count, nor a shown observation)."""
    allowed = allowed_numbers(clauses, targets) | set(extra)
    joined = "".join(norm(c.text) for c in clauses)
    return [n for n in numbers(answer_text) if n not in allowed and n not in joined]


def strip_labels(text: str, clauses: list[Clause]) -> str:
    """Citation labels are our metadata (plan name, section), not figures of the answer."""
    for c in clauses:
        text = text.replace(c.label, "")
    for c in clauses:  # the plan's name alone (市妇儿工委2018年工作总结的印发日期…) is metadata too
        text = text.replace(c.label.split(" · ")[0], "")
    return text


def check(answer: Answer, clause_of, known=None) -> list[str]:
    cited = [c for c in (clause_of(x.clause_id) for x in answer.citations) if c is not None]
    return unsupported(strip_labels(answer.answer, cited), cited, answer.targets, vouched(answer, clause_of, known))
