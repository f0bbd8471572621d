"""The plain refusal: the corpus does not hold the answer. Says why, points to the nearest clause
(without its figures) and lists what the corpus covers. Always answers: the router's last resort."""

from __future__ import annotations

import re

from assistant.answer import compose, phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.figures import BARE_FIGURE, core_of
from assistant.answer.state import Query
from assistant.ingest.structure import ITEM
from assistant.retrieve import Filters


WORDS_ONLY_MATCH = 0.6  # a phrase holding this share of the topic's weight is the plan speaking of it
GOAL_SECTIONS = ("主要目标", "发展目标", "总体目标")  # where a plan states what it aims at


LISTED_PLANS = 12  # plans a refusal names; a corpus of every county's plans (thousands) is not listed in a chat answer


def covered(ctx: Context) -> str:
    names = "、".join(d.short_name for d in ctx.plans[:LISTED_PLANS])
    return phrases.COVERED.format(plans=names + (phrases.AND_MORE if len(ctx.plans) > LISTED_PLANS else ""))


def _said_without_figure(q: Query, ctx: Context):
    """The sentence that states the asked thing in words only (乳腺癌人群筛查率逐步提高), or None."""
    topic = q.topic if q.inherited else (q.own_topic or q.topic)  # 西城呢？有具体数量吗: the earlier subject
    core = core_of(topic) | {b for n in q.indicator_names for b in compose.bigrams(n)}
    if not core or not q.asks_number:
        return None
    ids = [i for i in q.doc_ids if i in ctx.doc_by_id] or [d.doc_id for d in ctx.plans]
    best, best_score = None, (WORDS_ONLY_MATCH, False)
    for s, _, _ in ctx.sentences_with(ids, core):  # a phrase's bigrams are its sentence's: none of core, no match
        phrases = re.split(r"[，,；;。]", ITEM.sub(r"\2", s.norm))  # 9.出生人口性别比…: the item's number is no figure
        for i, ph in enumerate(phrases):
            after = phrases[i + 1] if i + 1 < len(phrases) else ""
            if re.search(r"\d", ph) or (re.search(r"\d", after) and len(after) < BARE_FIGURE):
                continue  # …建立未成年人保护站,覆盖率达到100%: the figure is in the phrase after it
            # of two phrases as close, the goal's (主要目标 9.出生人口性别比保持在自然状态), not a measure's
            score = (ctx.coverage(core, compose.bigrams(ph)), s.clause.section in GOAL_SECTIONS)
            if score >= best_score:
                best, best_score = (s, ph), score
    return best


def refuse(q: Query, ctx: Context, reasons: list[str] | None = None, nearest: bool = True) -> Draft:
    words = _said_without_figure(q, ctx) if not reasons else None
    if words:  # the plan speaks of it, in words: say that there is no figure, and quote the words
        s, ph = words
        c = s.clause
        text = phrases.NO_FIGURE_GIVEN.format(quote=compose.cite(c, ph).quote, label=c.label)
        return Draft(answer=text + covered(ctx), answerable=False, citations=[compose.cite(c, ph)], intent=q.intent)
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
