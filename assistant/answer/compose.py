"""Small formatting helpers the strategies share: best sentences of a clause, citations, target lines."""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.answer import phrases
from assistant.compare import CompareTable
from assistant.models import Citation, Clause, Target
from assistant.text import NormMap, bigrams, fmt_number, norm, sentences  # bigrams: base layer, the shared stores index by it

LIST_COMMAS = "、，,；;"  # 、床位增至3.17张: a row that starts after the list comma is shown without it
NAME_WEIGHT = 3  # a sentence naming the indicator outranks one sharing a few topic characters
QUESTION_WEIGHT = 2  # this turn's words count twice those of earlier turns
FOCUS_WEIGHT = 3  # 牵头/负责 in an owner question
# a question naming no plan is answered from at most this many plans: a chat answer is read, not scanned (at
# thousands of county plans the rest are counted, and the 对比 / 规划浏览 tabs list them all)
REGIONLESS_PLANS = 8


# question words carry no topic (the stopword list of assistant/lexicon/questions.yaml)
STOP_BIGRAMS = set().union(*(bigrams(w) for w in lexicon.load("questions")["query_stopwords"]), bigrams("有没有目标"))


def topic_bigrams(text: str) -> set[str]:
    """Bigrams of each word group of a topic (split at spaces), so that no bigram spans two groups."""
    return set().union(*(bigrams(piece) for piece in text.split())) - STOP_BIGRAMS if text.strip() else set()


def name_groups(names) -> list[set[str]]:
    """For each indicator the question names, every name the lexicon has for it (普惠园覆盖率 is also
    the plan's 普惠性幼儿园覆盖率), plain (lexicon.plain): a sentence names an indicator by any of them."""
    groups: dict[str, set[str]] = {}
    for name in names:
        key = lexicon.indicator_key(name) or name
        groups.setdefault(key, {lexicon.plain(name)}).update(lexicon.names_of([key]))
    return list(groups.values())


def best_sentences(clause: Clause, query: str, names: list[str] = (), limit: int = 2, context: str = "",
                   focus: list[str] = ()) -> list[str]:
    """The clause's sentences that say most about the query, in text order."""
    q = topic_bigrams(query)
    ctx = topic_bigrams(context) - q
    named = name_groups(names)
    sents = sentences(clause.text) or [clause.text]
    scored = []
    for i, s in enumerate(sents):
        n = norm(s)
        b = bigrams(s)
        p = lexicon.plain(s)
        score = QUESTION_WEIGHT * len(q & b) + len(ctx & b) + NAME_WEIGHT * sum(1 for g in named if any(x in p for x in g))
        score += FOCUS_WEIGHT * sum(1 for w in focus if w in n)
        scored.append((score, i, s))
    top = sorted(scored, key=lambda x: (-x[0], x[1]))[:limit]
    top = [t for t in top if t[0] > 0] or top[:1]
    return [s.strip() for _, _, s in sorted(top, key=lambda x: x[1])]


def cite(clause: Clause, quote: str) -> Citation:
    original = NormMap.of(clause.text).original_of(quote) or quote
    return Citation(doc_id=clause.doc_id, clause_id=clause.clause_id, label=clause.label, quote=original.strip())


def dedupe(cites: list[Citation]) -> list[Citation]:
    """One citation per clause, in first-seen order; a longer quote that holds the first replaces it."""
    out: dict[str, Citation] = {}
    for c in cites:
        prev = out.get(c.clause_id)
        if prev is None or (norm(prev.quote) in norm(c.quote) and len(c.quote) > len(prev.quote)):
            out[c.clause_id] = c
    return list(out.values())


BARE_ROW = 10  # a row this short after a comma (…建立未成年人保护站,覆盖率达到100%) lacks its subject


def with_subject(quote: str, clause: Clause) -> str:
    """A short row quote with the phrase before it in its sentence, when it starts after a comma and says
    nothing of what it measures (覆盖率达到100%: of 未成年人保护站)."""
    i = clause.text.find(quote)
    if i <= 0 or len(norm(quote)) > BARE_ROW or clause.text[i - 1] not in "，,":
        return quote
    start = max(clause.text.rfind(ch, 0, i - 1) for ch in "，,。；;\n") + 1
    return clause.text[start:i] + quote


def target_line(t: Target, clause: Clause) -> str:
    line = with_subject(t.quote, clause).lstrip(LIST_COMMAS)
    if t.value and t.norm_value is not None and t.norm_unit and norm(t.norm_unit) not in norm(t.value):
        line += phrases.NORMALISED.format(value=f"{fmt_number(t.norm_value)}{t.norm_unit}")
    if t.year and str(t.year) not in norm(t.quote):
        line += phrases.YEAR_NOTE.format(year=t.year)
    return phrases.LINE.format(text=line, label=clause.label)


def quote_block(clause: Clause, sents: list[str]) -> str:
    return phrases.QUOTE.format(quote="".join(sents), label=clause.label)


def _year_shown(r, source: str) -> str:
    """The row's year where its clause writes it; 规划期末 for an undated target; never a year the
    cited text lacks (“十三五”规划目标 is dated by words)."""
    if not r.year:
        return phrases.PERIOD_END
    return str(r.year) if str(r.year) in norm(source) else phrases.YEAR_AS_QUOTED


def compare_table(table: CompareTable, clause_text=lambda clause_id: "") -> str:
    """The comparison as a table; `clause_text` gives a row's clause (its year may sit outside the quote)."""
    lines = list(phrases.COMPARE_HEADER)
    for r in table.rows:
        value = f"{phrases.COMPARATOR_WORDS.get(r.comparator or '', '')}{r.value}" if r.value else ""
        normed = f"{fmt_number(r.norm_value)}{r.norm_unit or ''}" if r.norm_value is not None else "—"
        lines.append(phrases.COMPARE_ROW.format(
            plan=r.plan, quote=(r.quote or "").lstrip(LIST_COMMAS) or phrases.NOT_FOUND_IN_PLAN, value=value, normed=normed,
            year=_year_shown(r, (r.quote or "") + (clause_text(r.clause_id) if r.clause_id else "")), verdict=phrases.VERDICT_NOTE[r.verdict]))
    return "\n".join(lines)
