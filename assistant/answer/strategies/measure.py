"""What the plan will do: the 策略措施 clauses that say most about the topic, quoted."""

from __future__ import annotations

from assistant.answer import compose, phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.figures import asks_specific, core_of, dated_otherwise, has_figure
from assistant.answer.intent import Intent
from assistant.answer.parse import says_number
from assistant.answer.state import Query
from assistant.answer.strategies.clauses import best_hits, quote_answer
from assistant.retrieve import Hit


MEASURES = "策略措施"


def _with_domain_measure(q: Query, ctx: Context, hits: list) -> list:
    """有什么措施来推进 after a target: when the best hit is the target's goal (主要目标), the measure that pursues it sits in
    the same domain's 策略措施 — the one of those most about the topic comes first, even if the words differ
    (入园率 ~ 增加普惠性学前学位供给)."""
    top = hits[0].clause
    if not q.indicator_keys or top.section == MEASURES or top.domain is None or \
            any(h.clause.section == MEASURES and h.clause.domain == top.domain and h.doc_id == top.doc_id for h in hits):
        return hits
    core = core_of(q.topic, *q.indicator_names)
    pool = [c for c in ctx.clauses_of.get(top.doc_id, []) if c.section == MEASURES and c.domain == top.domain]
    scored = [(ctx.coverage(core, ctx.clause_bigrams[c.clause_id]), c) for c in pool]
    best = max(scored, key=lambda x: x[0], default=(0.0, None))
    if best[1] is None or best[0] <= 0:
        return hits
    c = best[1]
    return [Hit(clause_id=c.clause_id, doc_id=c.doc_id, score=0.0, rank=0, clause=c), *hits][: len(hits)]


class Measure:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        hits = best_hits(q, ctx, per_doc=False, intent=Intent.MEASURE)
        if q.year is not None:  # 2019年打算在学前教育上投多少钱: the 2018年工作总结's 40亿元 does not answer it
            hits = [h for h in hits if not dated_otherwise(h.clause, q.year)]
        if not hits:
            return None
        hits = _with_domain_measure(q, ctx, hits)
        if asks_specific(q.text):  # 安排多少钱: a measure without that figure does not answer it
            if not has_figure(q, ctx.clause_norm[hits[0].clause.clause_id], ctx.first_plan_year):
                return None
        elif says_number(q.text):  # 妇幼经费安排了多少 (in this turn's words): some quoted measure must hold a figure
            if not any(has_figure(q, ctx.clause_norm[h.clause.clause_id], ctx.first_plan_year) for h in hits):
                return None
        parts, cites = quote_answer(q, ctx, hits, Intent.MEASURE)
        return Draft(answer=phrases.FROM_TEXT + "\n\n" + "\n\n".join(parts), answerable=True,
                     citations=compose.dedupe(cites), intent=Intent.MEASURE)
