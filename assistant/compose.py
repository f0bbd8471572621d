"""Turn looked-up targets and retrieved clauses into a short Chinese answer with citations."""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.compare import CompareTable
from assistant.models import Citation, Clause, Target
from assistant.text import NormMap, fmt_number, norm, sentences

COMPARATOR_WORDS = {"<=": "不高于", "<": "低于", ">=": "不低于", ">": "高于", "=": "达到", "≈": "约为",
                    "increase": "提高", "decrease": "降低", "maintain": "保持", "achieve": "实现"}
VERDICT_NOTE = {"参照": "市级规划（参照）", "相同": "与市级规划相同", "更严": "比市级规划更严", "更宽": "比市级规划更宽",
                "无量化目标": "没有量化目标", "未涉及": "未涉及该指标"}


def bigrams(text: str) -> set[str]:
    t = re.sub(r"[^\u4e00-\u9fff0-9a-zA-Z%‰]", "", norm(text))
    return {t[i : i + 2] for i in range(len(t) - 1)}


# question words carry no topic (the stopword list of assistant/lexicon/questions.yaml)
STOP_BIGRAMS = set().union(*(bigrams(w) for w in lexicon.load("questions")["query_stopwords"]), bigrams("有没有目标"))


def best_sentences(clause: Clause, query: str, names: list[str] = (), limit: int = 2, context: str = "",
                   focus: list[str] = ()) -> list[str]:
    """The clause's sentences that say most about the query, in text order.

    Words of the question count twice those of earlier turns (`context`); `focus` words
    (牵头/负责 for owner questions) add weight."""
    q = bigrams(query) - STOP_BIGRAMS
    ctx = bigrams(context) - STOP_BIGRAMS - q
    sents = sentences(clause.text) or [clause.text]
    scored = []
    for i, s in enumerate(sents):
        n = norm(s)
        b = bigrams(s)
        score = 2 * len(q & b) + len(ctx & b) + 3 * sum(1 for name in names if norm(name) in n)
        score += 3 * sum(1 for w in focus if w in n)
        scored.append((score, i, s))
    top = sorted(scored, key=lambda x: (-x[0], x[1]))[:limit]
    top = [t for t in top if t[0] > 0] or top[:1]
    return [s.strip() for _, _, s in sorted(top, key=lambda x: x[1])]


def cite(clause: Clause, quote: str) -> Citation:
    original = NormMap.of(clause.text).original_of(quote) or quote
    return Citation(doc_id=clause.doc_id, clause_id=clause.clause_id, label=clause.label, quote=original.strip())


def target_line(t: Target, clause: Clause) -> str:
    line = f"{t.quote}"
    if t.value and t.norm_value is not None and t.norm_unit and norm(t.norm_unit) not in norm(t.value):
        line += f"（即 {fmt_number(t.norm_value)}{t.norm_unit}）"
    if t.year and str(t.year) not in norm(t.quote):
        line += f"（{t.year}年）"
    return f"{line}。〔{clause.label}〕"


def quote_block(clause: Clause, sents: list[str]) -> str:
    return f"「{''.join(sents)}」〔{clause.label}〕"


def compare_table(table: CompareTable) -> str:
    lines = ["| 规划 | 原文表述 | 目标值 | 年份 | 与市级规划相比 |", "|---|---|---|---|---|"]
    for r in table.rows:
        value = f"{r.value}" if r.value else "—"
        normed = f"{fmt_number(r.norm_value)}{r.norm_unit or ''}" if r.norm_value is not None else "—"
        quote = r.quote or "规划中未找到该指标"
        year = f"{r.year}" if r.year else "规划期末"
        lines.append(f"| {r.plan} | {quote} | {COMPARATOR_WORDS.get(r.comparator or '', '')}{value if r.value else ''} ({normed}) | {year} | {VERDICT_NOTE[r.verdict]} |")
    return "\n".join(lines)

