"""Choosing how to answer, separate from answering (as llama-index's RouterQueryEngine): each intent
has an explicit, ordered list of strategies; the first draft wins; a refusal ends every list."""

from __future__ import annotations

from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.intent import Intent
from assistant.answer.state import Query
from assistant.answer.strategies.clauses import ClauseAnswer
from assistant.answer.strategies.comparison import Comparison
from assistant.answer.strategies.figure import FigureFinder
from assistant.answer.strategies.measure import Measure
from assistant.answer.strategies.out_of_corpus import OutOfCorpus
from assistant.answer.strategies.owner import Owner
from assistant.answer.strategies.refusal import Refusal
from assistant.answer.strategies.structure import Structure
from assistant.answer.strategies.target_list import TargetList
from assistant.answer.strategies.target_value import TargetValue

FIRST = [OutOfCorpus()]  # before any intent: a place the corpus lacks is never answered from another
ROUTES: dict[Intent, list] = {
    Intent.STRUCTURE: [Structure(), FigureFinder(), ClauseAnswer()],
    Intent.COMPARE: [Comparison(), FigureFinder(), ClauseAnswer(per_doc=True)],
    Intent.TARGET_LIST: [TargetList(), ClauseAnswer()],
    Intent.OWNER: [Owner()],
    Intent.MEASURE: [Measure()],
    Intent.FACT: [Structure(), FigureFinder(), ClauseAnswer()],
    Intent.TARGET_VALUE: [TargetValue(), FigureFinder(), ClauseAnswer()],
}
LAST = Refusal()


def route(q: Query, ctx: Context) -> Draft:
    for strategy in [*FIRST, *ROUTES.get(q.intent, [ClauseAnswer()])]:
        draft = strategy.run(q, ctx)
        if draft is not None:
            return draft
    return LAST.run(q, ctx)


def strategies_for(intent: Intent) -> list[str]:
    """The order the router tries for an intent, by name (for tests and docs)."""
    return [type(s).__name__ for s in [*FIRST, *ROUTES.get(intent, [ClauseAnswer()]), LAST]]
