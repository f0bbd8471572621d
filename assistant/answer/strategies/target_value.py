"""A figure the plan sets, from the typed targets table: one line per row with its clause. A target the
plan states only in words (逐步提高) is an honest "no figure", with the quote."""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.answer import compose, phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.figures import asks_specific, has_figure, holds_terms, unit_pattern
from assistant.answer.parse import YEAR, asks_year, says
from assistant.answer.intent import Intent
from assistant.answer.state import Query
from assistant.answer.strategies.refusal import refuse
from assistant.models import Clause, Count, DocMeta
from assistant.retrieve import Filters
from assistant.text import norm

MAX_ROWS = 6  # rows shown per plan; more means the indicator matched too loosely
FIGURE_SEARCH_K = 5  # clauses of one plan searched for a figure the table has no row for
STEP_WORDS = ("每年", "年均", "每年度")  # a question about the yearly pace, not the level reached


def _is_step(t) -> bool:
    return t.comparator in ("increase", "decrease") and any(w in t.quote for w in STEP_WORDS)


class TargetValue:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        if not q.indicator_keys or (q.year is not None and q.year < ctx.first_plan_year):
            return None
        if asks_specific(q.text) and not self._unit_fits(q, ctx):
            return None  # 防近视…户外自然光多长时间: the indicator is context, the figure asked is another
        names = "、".join(q.indicator_names)
        parts, cites, used, missing, qualitative = [], [], [], [], []
        more: list[str] = []  # a clause of each plan past the region-less cap that sets the figure too
        for d in ctx.scope(q.doc_ids, q.text, plans_only=True):
            if q.year and q.year > d.period_end:
                if q.doc_ids:
                    missing.append(phrases.OUTSIDE_PERIOD.format(plan=d.short_name))
                continue
            rows = [r for r in ctx.rows(d, q.indicator_keys, q.year) if holds_terms(q, r.quote)]
            if not any(r.value_num is not None for r in rows):
                # 近视率降到多少 where the plan sets it in words and gives 小学生/初中生/高中生 figures: those figures
                # (近视率目标呢, asking no number: the words and the figures)
                narrow = [r for r in ctx.rows(d, lexicon.narrower(q.indicator_keys), q.year) if r.value_num is not None]
                rows = (narrow or rows) if q.asks_number else rows + narrow
            # (有什么硬性要求 / 怎么定的: the pace is the requirement; 要降到多少 asks a level the plan does not set)
            level = q.asks_number and not any(w in q.text for w in STEP_WORDS) and not says(q.text, "wording_asks")
            if level and rows and all(_is_step(r) for r in rows):  # 每年降低1个百分点: a pace, not a level
                qualitative.append((d, rows))
                continue
            if q.asks_number and not any(r.value_num is not None for r in rows):
                if not q.doc_ids:  # every plan was asked: those without a typed figure stay out
                    continue
                hit = self._clause_with_figure(q, d, ctx)
                if hit:
                    clause, sents = hit
                    parts.append(phrases.PLAN_BOLD.format(plan=d.short_name, body=compose.quote_block(clause, sents)))
                    cites.append(compose.cite(clause, "".join(sents)))
                elif rows:
                    qualitative.append((d, rows))
                else:
                    missing.append(phrases.NO_FIGURE_FOR.format(plan=d.short_name, names=names))
                continue
            if not rows:
                continue
            if not q.doc_ids and len(parts) >= compose.REGIONLESS_PLANS:
                more.append(rows[0].clause_id)  # counted, not composed
                continue
            lines = []
            for t in rows[:MAX_ROWS]:
                c = ctx.clause_by_id[t.clause_id]
                line = compose.target_line(t, c)
                if asks_year(q.text) and not t.year and not YEAR.search(norm(t.quote)) and (end := ctx.period_end_sentence(d)):
                    # 这是到哪年的, of a target its clause does not date: the plan's own 到2025年, cited
                    line += phrases.PERIOD_END_NOTE.format(year=d.period_end, label=end[0].label)
                    cites.append(compose.cite(*end))
                if line not in lines:  # two indicators of one sentence (贫血患病率和生长迟缓率): one line
                    lines.append(line)
                cites.append(compose.cite(c, t.quote))
                used.append(t)
            parts.append(phrases.PLAN_BOLD.format(plan=d.short_name, body=("\n- " + "\n- ".join(lines) if len(lines) > 1 else lines[0])))
        if not parts and qualitative:
            return self._qualitative(q, ctx, qualitative, names)
        docs = ctx.scope(q.doc_ids, q.text, plans_only=True)
        if not parts and q.doc_ids and not missing and not ctx.mentions(q.indicator_names, {d.doc_id for d in docs}):
            missing = [phrases.NO_TARGET_FOR.format(plan=d.short_name, names=names) for d in docs]
        if not parts and q.asks_number and q.doc_ids and not any("规划期" in m for m in missing):
            return None  # the figure may sit in a sentence under other words; later strategies look
        if not parts:
            return refuse(q, ctx, missing) if (missing or q.asks_number) else None
        text = "\n\n".join(parts)
        if missing:
            text += phrases.ALSO.format(notes="；".join(missing))
        counts = []
        if more:  # 另有N个规划也设定了…: the count is checked like any count, by the clauses it counted
            text += phrases.MORE_PLANS_SET.format(n=len(more), names=names)
            counts.append(Count(value=len(more), clause_ids=more))
        return Draft(answer=text, answerable=True, citations=compose.dedupe(cites), targets=used, counts=counts,
                     intent=Intent.TARGET_VALUE)

    @staticmethod
    def _unit_fits(q: Query, ctx: Context) -> bool:
        if asks_year(q.text):
            return True  # 到哪年: every row has a year, its own or the plan period's end
        pattern = unit_pattern(q.text)
        rows = [t for k in q.indicator_keys for t in ctx.by_key.get(k, []) if t.value]
        return pattern is None or any(pattern.search(norm(t.value + (t.unit or ""))) for t in rows)

    @staticmethod
    def _qualitative(q: Query, ctx: Context, found: list, names: str) -> Draft:
        """规划没有给出具体数值, with what the plan does say."""
        lines, cites = [], []
        for d, rows in found:
            # 每年降低1个百分点 is a figure, of the pace: say that no level is set, not that it is words only
            said = phrases.PACE_ONLY if all(_is_step(r) for r in rows) else phrases.QUALITATIVE_ONLY
            lines.append(said.format(plan=d.short_name, names=names) + "。")
            for t in rows[:MAX_ROWS]:
                c = ctx.clause_by_id[t.clause_id]
                lines.append(compose.quote_block(c, [t.quote]))
                cites.append(compose.cite(c, t.quote))
        return Draft(answer="\n\n".join(lines), answerable=False, citations=compose.dedupe(cites), intent=Intent.TARGET_VALUE)

    @staticmethod
    def _clause_with_figure(q: Query, d: DocMeta, ctx: Context) -> tuple[Clause, list[str]] | None:
        """A clause sentence in plan d naming the indicator with a figure the extractor did not type."""
        for h in ctx.retriever.search(q.retrieval_text, k=FIGURE_SEARCH_K, filters=Filters(doc_ids=[d.doc_id])):
            sents = compose.best_sentences(h.clause, q.text, q.indicator_names, limit=1)
            s = norm("".join(sents))
            years = set(re.findall(r"20\d\d", s))
            year_ok = q.year is None or str(q.year) in years or (not years and q.year == d.period_end)
            if any(norm(n) in s for n in q.indicator_names) and has_figure(q, s, ctx.first_plan_year) and year_ok:
                return h.clause, sents
        return None
