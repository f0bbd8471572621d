"""The plain refusal: the corpus does not hold the answer. Says why, points to the nearest clause
(without its figures) and lists what the corpus covers. Always answers: the router's last resort."""

from __future__ import annotations

import re

from assistant.answer import compose, phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.state import Query
from assistant.retrieve import Filters


def covered(ctx: Context) -> str:
    return phrases.COVERED.format(plans="、".join(d.short_name for d in ctx.plans))


def refuse(q: Query, ctx: Context, reasons: list[str] | None = None, nearest: bool = True) -> Draft:
    reason = "；".join(reasons) if reasons else phrases.NO_ANSWER_FOUND
    text = phrases.NO_CONTENT.format(reason=reason)
    cites = []
    scope = [i for i in q.doc_ids if i in ctx.doc_by_id] or [d.doc_id for d in ctx.plans]
    hits = ctx.retriever.search(q.retrieval_text or q.text, k=1, filters=Filters(doc_ids=scope)) if nearest else []
    if hits:
        c = hits[0].clause
        sents = compose.best_sentences(c, q.retrieval_text, q.indicator_names, limit=1)
        safe = [s for s in sents if not re.search(r"\d", s)]
        text += phrases.NEAREST.format(label=c.label)
        text += phrases.NEAREST_QUOTE.format(quote="".join(safe)) if safe else phrases.NEAREST_SEE
        cites.append(compose.cite(c, "".join(sents)))
    text += covered(ctx)
    return Draft(answer=text, answerable=False, citations=cites, intent=q.intent)


class Refusal:
    def run(self, q: Query, ctx: Context) -> Draft:
        return refuse(q, ctx)
