"""Observed values against the targets (达标了吗 / 哪些指标有风险 / 离目标还差多少 / 谁更接近目标),
from the status table of assistant.monitor. Never a status without both numbers: the observed
value with its source, and the target with its clause."""

from __future__ import annotations

from assistant import lexicon, monitor
from assistant.answer import compose, phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.intent import Intent
from assistant.answer.state import Query
from assistant.models import Difference
from assistant.text import fmt_number

LIST_STATUSES = ("not_met", "at_risk")  # what 哪些指标未达标/有风险 lists
MAX_ROWS = 20  # rows listed in one chat answer; the 监测 view shows them all


def rows_for(q: Query, ctx: Context) -> list:
    if ctx.observations is None:
        return []
    plans = [d for d in ctx.plans if not q.doc_ids or d.doc_id in q.doc_ids]
    targets = [t for t in ctx.select_targets(kinds=("target",), keys=q.indicator_keys or None,
                                             doc_ids=[d.doc_id for d in plans] if q.doc_ids else None)
               if t.indicator_key and t.value_num is not None]
    return monitor.statuses(targets, ctx.observations(), plans, ctx.clauses_for({t.clause_id for t in targets}))


class StatusAnswer:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        rows = rows_for(q, ctx)
        if not rows:
            return None
        asked = [s for s in phrases.STATUS_WHICH if phrases.STATUS_WHICH[s] in q.text or (s == "at_risk" and "风险" in q.text)]
        asked = asked or (["met"] if any(w in q.text for w in lexicon.load("questions")["status_met_words"]) else [])
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
        judged = any(r.observed_value is not None for r in rows[:MAX_ROWS])
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
            line += "\n" + phrases.STATUS_GAP.format(gap=fmt_number(gap), unit=r.target_unit or "")
        return line

    @staticmethod
    def _closer(rows) -> str:
        measured = [(abs(g), r) for r in rows if (g := _gap(r)) is not None]
        if len(measured) < 2:
            return ""
        best = min(measured, key=lambda x: x[0])[1]
        return phrases.STATUS_CLOSER.format(plan=best.plan)


def _gap(r) -> float | None:
    """How far the latest value is from the target level (0 when met), in the target's unit."""
    if r.observed_value is None or r.target_norm_value is None:
        return None
    if r.status == "met":
        return 0.0
    return round(abs(r.observed_value - r.target_norm_value), 6)
