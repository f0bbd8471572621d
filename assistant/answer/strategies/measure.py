"""What the plan will do: the 策略措施 clauses that say most about the topic, quoted."""

from __future__ import annotations

from assistant.answer import compose, phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.figures import asks_specific, has_figure
from assistant.answer.intent import Intent
from assistant.answer.state import Query
from assistant.answer.strategies.clauses import best_hits, quote_answer


class Measure:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        hits = best_hits(q, ctx, per_doc=False, intent=Intent.MEASURE)
        if not hits:
            return None
        if asks_specific(q.text):  # 安排多少钱: a measure without that figure does not answer it
            if not has_figure(q, ctx.clause_norm[hits[0].clause.clause_id], ctx.first_plan_year):
                return None
        parts, cites = quote_answer(q, ctx, hits, Intent.MEASURE)
        return Draft(answer=phrases.FROM_TEXT + "\n\n" + "\n\n".join(parts), answerable=True,
                     citations=compose.dedupe(cites), intent=Intent.MEASURE)
