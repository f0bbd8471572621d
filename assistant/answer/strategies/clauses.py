"""Answers quoted from the best clauses: measures, owners and anything without a typed target.
A question that asks for a figure gets None here unless the quoted sentence holds one."""

from __future__ import annotations

from assistant import lexicon
from assistant.answer import compose, phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.figures import achieved_place, asks_specific, core_of, dated_otherwise, has_figure
from assistant.answer.intent import Intent
from assistant.answer.state import Query
from assistant.answer.strategies.refusal import refuse
from assistant.retrieve import Filters
from assistant.text import norm

MEASURE_SENTENCES = 4  # a measure is quoted up to this many sentences…
WHOLE_MEASURE = 600  # …except the best one, quoted whole when no longer than this (most 策略措施 items are)
WHOLE_CLAUSE = 200  # any clause this short is quoted whole: two or three sentences, the detail asked may be in any
CLAUSES = {Intent.MEASURE: 3, Intent.TARGET_LIST: 3}  # clauses quoted per answer (default 2)
DEFAULT_CLAUSES = 2
MIN_RELEVANCE = 0.3  # share of the question's topic weight the best clause must hold to be quoted at all
EXTRA_HITS = 4  # hits read beyond k, so that header paragraphs dropped still leave k
POOL_PER_PLAN = 5  # hits read per plan a region-less answer quotes: one plan's clauses rank close together


def best_hits(q: Query, ctx: Context, per_doc: bool, intent: Intent) -> list:
    docs = ctx.scope(q.doc_ids, q.text, plans_only=False)
    if q.year is not None:  # a year outside every plan's period: only documents that cover it
        docs = [d for d in (docs if q.doc_ids else ctx.docs) if d.covers(q.year)] or docs
        if not any(d.covers(q.year) for d in docs):
            return []
    elif not q.doc_ids:
        docs = [d for d in docs if d.kind == "plan"]
        per_doc = per_doc or intent in (Intent.OWNER, Intent.MEASURE, Intent.FACT)
    filters = Filters(doc_ids=[d.doc_id for d in docs], population=q.population if intent == Intent.MEASURE else None)
    k = CLAUSES.get(intent, DEFAULT_CLAUSES)
    header = lexicon.special_section("header")
    skip = {header, lexicon.special_section("heading")}  # the document's own lines, not content
    if per_doc and len(filters.doc_ids) > compose.REGIONLESS_PLANS:
        pool = ctx.retriever.search(q.retrieval_text, k=compose.REGIONLESS_PLANS * POOL_PER_PLAN, filters=filters)
        best: dict[str, object] = {}
        for h in pool:
            if h.clause.section not in skip and h.doc_id not in best and len(best) < compose.REGIONLESS_PLANS:
                best[h.doc_id] = h
        return list(best.values())
    hits = ctx.retriever.search(q.retrieval_text, k=k + EXTRA_HITS, filters=filters, per_doc_k=1 if per_doc else None)
    seen: set[tuple[str, str]] = set()  # 曾都's 妇女 and 儿童 plans share paragraphs: quote such a text once
    kept = []
    for h in hits:
        key = (h.doc_id, ctx.clause_norm[h.clause.clause_id])
        if h.clause.section not in skip and key not in seen:
            seen.add(key)
            kept.append(h)
    return kept[: (len(kept) if per_doc else k)]


def quote_answer(q: Query, ctx: Context, hits: list, intent: Intent, focus: list[str] = ()) -> tuple[list[str], list]:
    parts, cites = [], []
    if intent == Intent.MEASURE:  # the measures themselves first, then goals that name them
        hits = sorted(hits, key=lambda h: h.clause.section != "策略措施")
    limit = {Intent.MEASURE: MEASURE_SENTENCES, Intent.OWNER: 2}.get(intent, 2)
    for i, h in enumerate(hits):
        if (intent == Intent.MEASURE and i == 0 and len(h.clause.text) <= WHOLE_MEASURE) or len(h.clause.text) <= WHOLE_CLAUSE:
            sents = [h.clause.text.strip()]  # the best measure, or a short clause, in full: staff paste it as it stands
        else:
            sents = compose.best_sentences(h.clause, q.topic or q.retrieval_text, q.indicator_names, limit=limit,
                                           context=q.history_text, focus=focus)
        parts.append(compose.quote_block(h.clause, sents))
        cites.append(compose.cite(h.clause, "".join(sents)))
    return parts, cites


def relevant(q: Query, ctx: Context, hits: list) -> bool:
    """The best clause holds enough of the question's own topic: 明天会不会下雨 finds clauses, none about it."""
    if q.indicator_keys or q.domain_key:
        return True  # the subject is known from the lexicon
    # a follow-up (西城有类似规定吗) is about the conversation's subject: the clause must hold that
    about = q.topic if q.inherited else (q.own_topic or q.topic)
    core = core_of(about) | {b for n in q.indicator_names for b in compose.bigrams(n)}
    words = ctx.topic_tokens(about)
    if not core and not words:
        return False
    tok = ctx.retriever.tokenizer
    return max(max(ctx.coverage(core, ctx.clause_bigrams[h.clause.clause_id]),
                   ctx.token_coverage(words, frozenset(tok(ctx.clause_norm[h.clause.clause_id])))) for h in hits) >= MIN_RELEVANCE


class ClauseAnswer:
    """The fallback: the best clauses, quoted; refuses a figure question it cannot back with a figure."""

    def __init__(self, per_doc: bool = False):
        self.per_doc = per_doc

    def run(self, q: Query, ctx: Context) -> Draft | None:
        intent = q.intent
        hits = best_hits(q, ctx, self.per_doc or intent == Intent.COMPARE, intent)
        if not hits:
            if q.year is not None:
                return refuse(q, ctx, [phrases.NO_YEAR_DATA.format(year=q.year)])
            return None
        if q.asks_number and q.achieved:  # 十三五期末实际是多少: a target clause does not say what was reached
            hits = [h for h in hits if achieved_place(h.clause, ctx)]
        if q.year is not None:  # 2019年…标准是多少: the 2018年工作总结 does not answer it
            hits = [h for h in hits if not dated_otherwise(h.clause, q.year)]
        if not hits or not relevant(q, ctx, hits):
            return None
        parts, cites = quote_answer(q, ctx, hits, intent)
        top = norm("".join(compose.best_sentences(hits[0].clause, q.topic or q.retrieval_text, q.indicator_names,
                                                  limit=2, context=q.history_text)))
        wants_figure = (q.asks_number and intent in (Intent.TARGET_VALUE, Intent.FACT)) or asks_specific(q.text)
        if wants_figure and not has_figure(q, top, ctx.first_plan_year, weigh=ctx.coverage):
            return None
        lead = phrases.FROM_TEXT if intent != Intent.COMPARE else phrases.PER_PLAN
        return Draft(answer=lead + "\n\n" + "\n\n".join(parts), answerable=True, citations=compose.dedupe(cites), intent=intent)
