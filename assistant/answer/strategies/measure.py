"""What the plan will do: the 策略措施 clauses that say most about the topic, quoted."""

from __future__ import annotations

from assistant.answer import compose, phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.figures import asks_specific, dated_otherwise, has_figure
from assistant.answer.intent import Intent
from assistant.answer.parse import says_number
from assistant.answer.state import Query
from assistant.answer.strategies.clauses import best_hits, quote_answer


class Measure:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        hits = best_hits(q, ctx, per_doc=False, intent=Intent.MEASURE)
        if q.year is not None:  # 2019年打算在学前教育上投多少钱: the 2018年工作总结's 40亿元 does not answer it
            hits = [h for h in hits if not dated_otherwise(h.clause, q.year)]
        if not hits:
            return None
        if asks_specific(q.text):  # 安排多少钱: a measure without that figure does not answer it
            if not has_figure(q, ctx.clause_norm[hits[0].clause.clause_id], ctx.first_plan_year):
                return None
        elif says_number(q.text):  # 妇幼经费安排了多少 (in this turn's words): some quoted measure must hold a figure
            if not any(has_figure(q, ctx.clause_norm[h.clause.clause_id], ctx.first_plan_year) for h in hits):
                return None
        parts, cites = quote_answer(q, ctx, hits, Intent.MEASURE)
        return Draft(answer=phrases.FROM_TEXT + "\n\n" + "\n\n".join(parts), answerable=True,
                     citations=compose.dedupe(cites), intent=Intent.MEASURE)
