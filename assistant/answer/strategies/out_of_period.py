"""A year after the period of every plan the question names (西城2030年…, a 十四五 plan ending in
2025): the plan sets nothing for it. Said plainly, before any strategy quotes the plan's own years."""

from __future__ import annotations

from assistant.answer import phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.intent import Intent
from assistant.answer.state import Query
from assistant.answer.strategies.refusal import refuse

ABOUT_THE_DOCUMENT = (Intent.STRUCTURE, Intent.PERSON, Intent.UNSUPPORTED)  # 管到哪年: asked of the document itself


class OutOfPeriod:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        if q.year is None or not q.doc_ids or q.intent in ABOUT_THE_DOCUMENT:
            return None
        # plans only: a work report's years are what it reports (18年总结里…对照十四五规划 asks of a plan)
        named = [ctx.doc_by_id[i] for i in q.doc_ids if i in ctx.doc_by_id and ctx.doc_by_id[i].kind == "plan"]
        if not named or any(q.year <= d.period_end for d in named):
            return None
        return refuse(q, ctx, [phrases.OUTSIDE_PERIOD.format(plan=d.short_name) for d in named])
