"""The figure finder: a figure the targets table has no row for, read from any sentence of any
document — numbers inside 策略措施 (学校周边多少米、睡眠几小时、新建几所), 发展基础 achievements and
census figures, the work report's amounts and counts. Each part of a multi-part question
("投了哪几笔钱、各多少", "A和B分别是多少") gets its own sentence."""

from __future__ import annotations

import re

from assistant.answer import compose, phrases
from assistant.answer.compose import bigrams
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.figures import ANY_NUMBER, PHRASE as PHRASES, achieved_place, asked_unit, core_of, dated_otherwise, has_figure
from assistant.answer.intent import Intent
from assistant.answer.multipart import sub_questions
from assistant.answer.parse import own_subject, says, topic
from assistant.answer.state import Query
from assistant.retrieve import Filters
from assistant.text import norm

RETRIEVED = 3  # clauses the hybrid retriever ranks best for the question get a bonus…
RETRIEVED_BONUS = 0.2  # …this much for the first, half for the second, a third for the third
EXACT = 0.8  # a phrase holding this share of the topic's weight states the very thing asked
PRECISION_WEIGHT = 0.1  # a tie-breaker: it never lifts a sentence past MIN_COVERAGE on its own
SENTENCE_SHARE = 0.6  # a sentence's own words count more than its clause's (the clause gives context)
MIN_COVERAGE = 0.45 + PRECISION_WEIGHT / 2  # share of the question's (rarity-weighted) topic a sentence must hold
RUNNER_UP = 0.85  # another plan's sentence is shown too when it scores this close to the best
FRAMED_OWN = 2  # a follow-up naming at most this many topic bigrams (床位呢) is read within the earlier topic
CANDIDATES = 12  # best-scoring sentences checked for a figure of the asked kind, per part
class FigureFinder:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        if not (q.asks_number or asked_unit(q)):
            return None
        docs = ctx.scope(q.doc_ids, q.text, plans_only=False) if q.doc_ids else list(ctx.docs)
        if q.year is not None:
            docs = [d for d in docs if d.covers(q.year)] or (docs if q.doc_ids else [])
        if not docs:
            return None
        # 床位呢 after 每千名儿童…: the earlier topic frames a turn that names little of its own
        frame = q.history_text if not q.inherited and len(core_of(q.own_topic)) <= FRAMED_OWN else ""
        whole = core_of(q.topic, *q.indicator_names, q.context, frame) | {b for n in q.indicator_names for b in bigrams(n)}
        picks: list[tuple[float, object]] = []
        for part in sub_questions(q.text):
            sub = q if part == q.text else q.model_copy(update={"text": part, "topic": topic(part, list(ctx.docs)) or q.topic})
            picks += self._best(sub, ctx, [d.doc_id for d in docs], several=len(q.doc_ids) != 1, whole=whole,
                                every=len(q.doc_ids) >= 2)
        if not picks:
            return None
        seen, blocks, cites = set(), [], []
        for _, s in sorted(picks, key=lambda p: (p[1].clause.doc_id, p[1].clause.order)):
            if s.norm in seen:
                continue
            seen.add(s.norm)
            blocks.append(compose.quote_block(s.clause, [s.text]))
            cites.append(compose.cite(s.clause, s.text))
        return Draft(answer=phrases.FROM_TEXT + "\n\n" + "\n\n".join(blocks), answerable=True,
                     citations=compose.dedupe(cites), intent=Intent.FACT if q.intent != Intent.TARGET_VALUE else q.intent)

    def _best(self, q: Query, ctx: Context, doc_ids: list[str], several: bool, whole: set[str],
              every: bool = False) -> list[tuple[float, object]]:
        """The best figure sentence (of each document when `several`); with `every` (plans named to be
        compared) each named document keeps its own best, however it scores against the others."""
        own = core_of(q.topic, *q.indicator_names)
        if not own and not whole:
            return []
        own = own or whole
        words = ctx.topic_tokens(q.topic, *q.indicator_names)  # the same by words: 孩子每天运动 ~ 儿童每天…运动
        ranks = {h.clause_id: h.rank for h in ctx.retriever.search(q.retrieval_text or q.text, k=RETRIEVED, filters=Filters(doc_ids=doc_ids))}
        said = core_of(own_subject(q.own_topic)) if q.inherited else set()  # 儿童呢: the turn's own words must be there
        # (十四五咱们区…定的多少 / 十四五期间要新增多少: a plan period named, with no word of what was reached)
        target_asked = not q.achieved and q.year is not None and q.year >= ctx.first_plan_year and \
            (says(q.text, "target_said_words") or says(q.text, "years"))
        scored = []
        for s, bs, ts in ctx.sentences_with(doc_ids, own, words):  # a sentence with none of these scores nothing
            if said and not (said & bs):
                continue
            if q.achieved and not achieved_place(s.clause, ctx):
                continue
            if target_asked and achieved_place(s.clause, ctx):
                continue  # 十四五…有没有具体数量目标: what 发展基础 reports reached is no target
            if q.year is not None and dated_otherwise(s.clause, q.year):
                continue  # 2019年…达到多少: the report's 2018年工作总结 part does not answer it
            sentence = (ctx.coverage(own, bs) + ctx.coverage(whole, bs)) / 2 if own != whole else ctx.coverage(own, bs)
            sentence = max(sentence, ctx.token_coverage(words, ts))
            if said:  # the turn's own words in the sentence, the earlier subject in its clause
                sentence = max(sentence, ctx.coverage(said, bs))
            clause = ctx.coverage(whole, ctx.clause_bigrams[s.clause.clause_id])
            precision = len(bs & (own | whole)) / len(bs) if bs else 0.0  # of two sentences as much on topic, the one with less else
            score = SENTENCE_SHARE * sentence + (1 - SENTENCE_SHARE) * clause
            rank = ranks.get(s.clause.clause_id)
            bonus = RETRIEVED_BONUS / rank if rank else 0.0  # the retriever also matches meaning (学校门口 ~ 校园出入口)
            scored.append((score + PRECISION_WEIGHT * precision + bonus, s))
        scored.sort(key=lambda x: -x[0])
        pattern = asked_unit(q) or ANY_NUMBER
        core = own | whole
        # the closest phrase anywhere in the best candidates, figure or not: a figure's phrase far less
        # close (社区居委会主任…40% for 村委会主任…) means the plan states the asked thing without one
        closest = max((ctx.coverage(core, bigrams(ph)) for _, s in scored[:CANDIDATES] for ph in PHRASES.split(s.norm)), default=0.0)
        closest = closest if closest >= EXACT else 0.0  # only a phrase that is about just this thing outranks
        best: dict[str, tuple[float, object]] = {}
        tried: dict[str, int] = {}
        for score, s in scored:
            d = s.clause.doc_id
            if score < MIN_COVERAGE:
                break
            if d in best or tried.get(d, 0) >= CANDIDATES:
                continue
            tried[d] = tried.get(d, 0) + 1
            if not pattern.search(s.norm) or not has_figure(q, s.norm, ctx.first_plan_year, core, ctx.coverage, closest):
                continue
            best[d] = (score, s)
            if not several:
                break
        if not best:
            return []
        top = max(v[0] for v in best.values())
        keep = sorted((v for v in best.values() if every or v[0] >= RUNNER_UP * top), key=lambda v: -v[0])
        return keep[:compose.REGIONLESS_PLANS]

