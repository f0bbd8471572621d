"""Observed values against the targets (达标了吗 / 哪些指标有风险 / 离目标还差多少 / 谁更接近目标),
from the status table of assistant.monitor. Never a status without both numbers: the observed
value with its source, and the target with its clause."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant import lexicon, monitor
from assistant.answer import compose, phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.figures import core_of
from assistant.answer.parse import own_subject
from assistant.answer.intent import Intent
from assistant.answer.state import Query
from assistant.models import Difference
from assistant.text import fmt_number

LIST_STATUSES = ("not_met", "at_risk")  # what 哪些指标未达标/有风险 lists
JUDGED = ("met", "not_met", "at_risk")  # a status; qualitative and no_data are none
MAX_ROWS = 20  # rows listed in one chat answer; the 监测 view shows them all


@lru_cache(maxsize=1)
def _target_period() -> re.Pattern:
    """十三五目标 / 十四五规划 (not 十三五末的数): a period whose targets the question names."""
    return re.compile(f"({lexicon.plan_periods()})(?:时期)?(?:规划)?(?:的)?(?:目标|规划|要求)")


def rows_for(q: Query, ctx: Context) -> list:
    if ctx.observations is None:
        return []
    plans = [d for d in ctx.plans if not q.doc_ids or d.doc_id in q.doc_ids]
    if q.doc_ids and not plans:  # 2018年工作总结里…对照市里规划: the plan of the report's own region
        regions = {ctx.doc_by_id[i].region for i in q.doc_ids if i in ctx.doc_by_id}
        plans = [d for d in ctx.plans if d.region in regions]
    ends = {d.doc_id: d.period_end for d in plans}
    starts = {d.doc_id: d.period_start for d in plans}
    named = lexicon.load("questions")["five_year_plans"]
    periods = list(dict.fromkeys(_target_period().findall(q.text)))
    # 超过十三五规划目标了吗: that period's targets; 对十三五目标和十四五目标分别…: both periods'
    by_period = named[periods[0]] if len(periods) == 1 else None
    year = by_period or (q.year if not periods else None)
    keys = q.indicator_keys + lexicon.broader(q.indicator_keys)  # 小学就近入学 is held against 义务教育's target
    targets = [t for t in ctx.select_targets(kinds=("target",), keys=keys or None,
                                             doc_ids=[d.doc_id for d in plans] if q.doc_ids else None)
               if t.indicator_key and t.value_num is not None
               # 按十四五目标…达标了吗: that period's targets, not the 十三五 one the 发展基础 recalls
               # a year before the plan (2018年…够不够) dates the observation, not the target
               and (year is None or (not by_period and year < starts.get(t.doc_id, 0)) or t.year == year
                    or (t.year is None and year == ends.get(t.doc_id)))]
    rows = monitor.statuses(targets, ctx.observations(), plans, ctx.clauses_for({t.clause_id for t in targets}))
    asked = set(q.indicator_keys) | set(lexicon.narrower(q.indicator_keys))  # 义务教育…: 小学 and 初中 too
    return [r for r in rows if not q.indicator_keys or r.indicator_key in asked]


class StatusAnswer:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        lex = lexicon.load("questions")
        if not q.indicator_keys and not any(w in q.text for w in lex["status_list_words"]) and _names_something(q):
            return None  # 儿童之家覆盖率达标了吗 with no such indicator: not a list of every status
        rows = rows_for(q, ctx)
        if not rows:
            return None
        asked = [s for s in phrases.STATUS_WHICH if phrases.STATUS_WHICH[s] in q.text or (s == "at_risk" and "风险" in q.text)]
        asked = asked or (["met"] if any(w in q.text for w in lexicon.load("questions")["status_met_words"]) else [])
        if not q.indicator_keys and not any(r.observed_value is not None for r in rows):  # 达标了没 with nothing observed
            return Draft(answer=phrases.STATUS_NO_OBSERVATIONS, answerable=False, intent=Intent.STATUS)
        if not q.indicator_keys:  # 哪些指标未达标: the list
            wanted = asked or list(LIST_STATUSES)
            rows = [r for r in rows if r.status in wanted]
            if not rows:
                which = "、".join(phrases.STATUS_WHICH[s] for s in wanted)
                return Draft(answer=phrases.STATUS_NONE.format(which=which), answerable=True, intent=Intent.STATUS)
        lines, cites, observed, diffs, used = [], [], [], [], []
        for r in rows[:MAX_ROWS]:
            lines.append(self._line(r, ctx, q, cites, observed, diffs))
            used += [t for t in ctx.by_doc.get(r.doc_id, []) if t.clause_id == r.clause_id and t.quote == r.quote]
        if "接近" in q.text:
            lines.insert(0, self._closer(rows))
        # without an observed value there is no status to give: say so, as a refusal (both numbers or none)
        judged = any(r.observed_value is not None and r.status in JUDGED for r in rows[:MAX_ROWS])
        return Draft(answer="\n\n".join(x for x in lines if x), answerable=judged, citations=compose.dedupe(cites),
                     targets=used, observed=observed, differences=diffs, intent=Intent.STATUS)

    @staticmethod
    def _line(r, ctx: Context, q: Query, cites: list, observed: list, diffs: list) -> str:
        c = ctx.clause_by_id[r.clause_id]
        cites.append(compose.cite(c, r.quote))
        seen, o = "", None
        if r.observed_value is not None:
            o = next((o for o in ctx.observations() if o.region == r.region and o.indicator_key == r.indicator_key
                      and o.year == r.observed_year and o.written == r.observed_written), None)
            if o is not None:
                observed.append(o)
            if r.source_clause_id and (sc := ctx.clause(r.source_clause_id)):
                cites.append(compose.cite(sc, r.observed_written or ""))
            seen = phrases.STATUS_OBSERVED.format(year=r.observed_year, written=r.observed_written, source=r.source)
        line = phrases.STATUS_LINE.format(plan=r.plan, indicator=r.indicator_key, status=r.status_label,
                                          observed=seen, quote=r.quote, label=c.label)
        if r.status == "no_data":
            line += "\n" + phrases.STATUS_NO_DATA.format(region=r.region, indicator=r.indicator_key)
        elif r.status == "at_risk":
            line += "\n" + phrases.STATUS_AT_RISK
        gap = _gap(r)
        if gap is not None and "差" in q.text and r.status != "met":
            diffs.append(Difference(value=gap, minuend=r.observed_value, subtrahend=r.target_norm_value))
            line += "\n" + phrases.STATUS_GAP.format(gap=fmt_number(gap), unit=_points(r.target_unit))
        elif r.status == "met" and r.observed_value is not None and r.target_norm_value is not None and \
                any(w in q.text for w in lexicon.load("questions")["status_beyond_words"]):  # 比十三五目标高多少
            beyond = round(abs(r.observed_value - r.target_norm_value), 6)
            diffs.append(Difference(value=beyond, minuend=r.observed_value, subtrahend=r.target_norm_value))
            more = "高" if r.observed_value >= r.target_norm_value else "低"
            line += "\n" + phrases.STATUS_ABOVE.format(more=more, gap=fmt_number(beyond), unit=_points(r.target_unit))
        return line

    @staticmethod
    def _closer(rows) -> str:
        measured = [(abs(g), r) for r in rows if (g := _gap(r)) is not None]
        if len(measured) < 2:
            return ""
        best = min(measured, key=lambda x: x[0])[1]
        return phrases.STATUS_CLOSER.format(plan=best.plan)


def _names_something(q: Query) -> bool:
    """The question names a subject of its own (儿童之家覆盖率), beyond status and period words."""
    return bool(core_of(own_subject(q.own_topic or q.topic)))


def _points(unit: str | None) -> str:
    """A difference of two percentages is in 个百分点, not %."""
    return phrases.PERCENT_POINTS if unit == "%" else (unit or "")


def _gap(r) -> float | None:
    """How far the latest value is from the target level (0 when met), in the target's unit."""
    if r.observed_value is None or r.target_norm_value is None:
        return None
    if r.status == "met":
        return 0.0
    return round(abs(r.observed_value - r.target_norm_value), 6)
