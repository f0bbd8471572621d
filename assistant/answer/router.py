"""Choosing how to answer, separate from answering (as llama-index's RouterQueryEngine): each intent
has an explicit, ordered list of strategies; the first draft wins; a refusal ends every list."""

from __future__ import annotations

import re

from assistant.answer import compose, multipart
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.figures import core_of
from assistant.answer.intent import Intent
from assistant.answer.state import Query
from assistant.answer.strategies.clauses import ClauseAnswer
from assistant.answer.strategies.comparison import Comparison
from assistant.answer.strategies.figure import FigureFinder
from assistant.answer.strategies.measure import Measure
from assistant.answer.strategies.off_topic import Nonsense, OffTopic
from assistant.answer.strategies.out_of_corpus import OutOfCorpus
from assistant.answer.strategies.out_of_period import OutOfPeriod
from assistant.answer.strategies.person import Person
from assistant.answer.strategies.owner import Owner
from assistant.answer.strategies.refusal import Refusal
from assistant.answer.strategies.report_scope import ReportScope
from assistant.answer.strategies.status import StatusAnswer
from assistant.answer.strategies.structure import Structure
from assistant.answer.strategies.target_list import TargetList
from assistant.answer.strategies.target_value import TargetValue
from assistant.text import norm

# before any intent: a place the corpus lacks is never answered from another, nor a place from a report that
# never names it, nor a year after every named plan, nor letters typed at random
FIRST = [OutOfCorpus(), ReportScope(), OutOfPeriod(), Nonsense()]
ROUTES: dict[Intent, list] = {
    Intent.STATUS: [StatusAnswer()],
    Intent.PERSON: [Person()],  # a name next to the office, or "the text names no one"
    Intent.UNSUPPORTED: [OffTopic()],
    Intent.STRUCTURE: [Structure()],  # about the documents: quoting content clauses would not answer it
    Intent.COMPARE: [Comparison(), FigureFinder(), ClauseAnswer(per_doc=True)],
    Intent.TARGET_LIST: [TargetList(), ClauseAnswer()],
    Intent.OWNER: [Owner()],
    Intent.MEASURE: [Measure()],
    Intent.FACT: [Structure(), FigureFinder(), ClauseAnswer()],
    Intent.TARGET_VALUE: [TargetValue(), FigureFinder(), ClauseAnswer()],
}
LAST = Refusal()


def route(q: Query, ctx: Context) -> Draft:
    draft = _route(q, ctx)
    if not draft.answerable and q.achieved and not q.achieved_said:
        # 入园率呢 after 十三五末实际…: no reached value for it, so the plan's target is what can be said
        again = _route(q.model_copy(update={"achieved": False}), ctx)
        return again if again.answerable else draft
    return draft


def _route(q: Query, ctx: Context) -> Draft:
    for strategy in FIRST:
        if (draft := strategy.run(q, ctx)) is not None:
            return draft
    parts = multipart.split(q, list(ctx.docs))
    if parts and not q.subjects_back and (not multipart.separate_questions(q.text) or len(q.indicator_keys) >= 2):
        # A、B、C分别多少 often stands in one sentence, as do two indicators asked apart: the whole first
        whole = route_one(q, ctx)
        if whole.answerable and covers(whole, parts):
            return whole
    if parts:
        return join([route_one(p, ctx) for p in parts])
    return route_one(q, ctx)


COVERED_SHARE = 0.5  # share of a part's own topic bigrams the whole answer must hold to speak of that part
LABEL = re.compile(r"〔[^〕]*〕")


def covers(draft: Draft, parts: list[Query]) -> bool:
    """The answer speaks of every part: each part's own words (儿科医生 / 床位, not the shared
    每千名儿童) are in its text; one row for 儿科医生和床位分别多少 does not answer 床位."""
    said = compose.bigrams(norm(LABEL.sub("", draft.answer)))  # the answer's words, not its labels (〔…监测评估…〕)
    cores = [core_of(p.own_topic) for p in parts]
    shared = set.intersection(*cores) if cores else set()
    # (遗传代谢病筛查、听力筛查…: 新生儿 and 筛查 in the answer do not speak of 遗传代谢病)
    return all(not (c - shared) or len((c - shared) & said) >= COVERED_SHARE * len(c - shared) for c in cores)


def route_one(q: Query, ctx: Context) -> Draft:
    for strategy in ROUTES.get(q.intent, [ClauseAnswer()]):
        draft = strategy.run(q, ctx)
        if draft is not None:
            return draft
    return LAST.run(q, ctx)


def join(drafts: list[Draft]) -> Draft:
    """One answer from the answers to each part; a part the corpus cannot answer says so briefly."""
    answered = [d for d in drafts if d.answerable]
    if not answered:
        return drafts[0]
    texts: list[str] = []
    for d in drafts:
        text = d.answer if d.answerable else d.answer.split("\n")[0]
        said = norm("".join(texts))
        if d.answerable and d.citations and all(norm(c.quote or "") in said for c in d.citations):
            continue  # 要降多少？基数是哪年的: the first part's answer already quotes what this one would
        if text not in texts:
            texts.append(text)
    return Draft(answer="\n\n".join(texts), answerable=True,
                 citations=compose.dedupe([c for d in drafts for c in d.citations]),
                 targets=[t for d in answered for t in d.targets], counts=[c for d in answered for c in d.counts],
                 intent=answered[0].intent)


def strategies_for(intent: Intent) -> list[str]:
    """The order the router tries for an intent, by name (for tests and docs)."""
    return [type(s).__name__ for s in [*FIRST, *ROUTES.get(intent, [ClauseAnswer()]), LAST]]
